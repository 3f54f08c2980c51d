// Dialects: the request lines each sends and how server lines become events.
#include "bench/dialect.h"

#include <gtest/gtest.h>

#include <span>
#include <string>

namespace chat::bench {
namespace {

// A server line and the event it must become; text nullptr: not checked.
struct ParseCase {
  const char* line;
  EventKind kind;
  const char* from;
  const char* text;
};

void ExpectParsed(const Dialect& dialect, std::span<const ParseCase> cases) {
  for (const ParseCase& c : cases) {
    Event event = dialect.Parse(c.line);
    EXPECT_EQ(event.kind, c.kind) << c.line;
    EXPECT_EQ(event.from, c.from) << c.line;
    if (c.text) {
      EXPECT_EQ(event.text, c.text) << c.line;
    }
  }
}

TEST(ChatDialectTest, RequestsAreProtocolLines) {
  auto chat = MakeChatDialect();
  std::string out;
  chat->Register("alice", &out);
  chat->JoinChannel(&out);  // nothing: everyone is in the one audience
  chat->Direct("bob", "1 xx", &out);
  chat->Broadcast("2 yy", &out);
  chat->Quit(&out);
  EXPECT_EQ(out, "JOIN alice\nMESG bob 1 xx\nBCST 2 yy\nQUIT\n");
  EXPECT_FALSE(chat->has_channel());
  EXPECT_TRUE(chat->acks_broadcast());
}

TEST(ChatDialectTest, ServerLinesBecomeEvents) {
  auto chat = MakeChatDialect();
  const ParseCase cases[] = {
      {"HELLO chat-server 1.0; send JOIN <username>", EventKind::kHello, "",
       nullptr},
      {"OK JOIN Alice", EventKind::kRegistered, "Alice", ""},
      {"OK MESG Bob", EventKind::kAck, "MESG", "Bob"},
      {"OK BCST 12", EventKind::kAck, "BCST", "12"},
      {"OK QUIT", EventKind::kQuitAck, "", ""},
      {"MESG Bob 7 hello there", EventKind::kDirect, "Bob", "7 hello there"},
      {"BCST Bob  spaced", EventKind::kBroadcast, "Bob", " spaced"},
      {"JOINED Carol", EventKind::kAnnounceJoin, "Carol", ""},
      {"LEFT Carol", EventKind::kAnnounceLeave, "Carol", ""},
      {"ERR Username Taken", EventKind::kError, "", "ERR Username Taken"},
      {"BYE Server shutting down", EventKind::kBye, "",
       "BYE Server shutting down"},
      {"WHAT is this", EventKind::kMalformed, "", "WHAT is this"},
  };
  ExpectParsed(*chat, cases);
}

TEST(IrcDialectTest, RequestsAreIrcMessagesEndingInCrLf) {
  auto irc = MakeIrcDialect("#bench");
  std::string out;
  irc->Register("alice", &out);
  irc->JoinChannel(&out);
  irc->Direct("bob", "1 xx", &out);
  irc->Broadcast("2 yy", &out);
  irc->Pong("tok", &out);
  irc->Quit(&out);
  EXPECT_EQ(out,
            "NICK alice\r\nUSER alice 0 * :alice\r\nJOIN #bench\r\n"
            "PRIVMSG bob :1 xx\r\nPRIVMSG #bench :2 yy\r\nPONG :tok\r\n"
            "QUIT\r\n");
  EXPECT_TRUE(irc->has_channel());
  EXPECT_FALSE(irc->acks_broadcast());
}

TEST(IrcDialectTest, ServerLinesBecomeEvents) {
  auto irc = MakeIrcDialect();
  const ParseCase cases[] = {
      {":srv 001 alice :Welcome to the network", EventKind::kRegistered,
       "alice", nullptr},
      {":bob!~bob@127.0.0.1 PRIVMSG alice :7 hi there", EventKind::kDirect,
       "bob", "7 hi there"},
      {":bob!~bob@127.0.0.1 PRIVMSG #bench :8 to all", EventKind::kBroadcast,
       "bob", "8 to all"},
      {":carol!~c@127.0.0.1 JOIN :#bench", EventKind::kAnnounceJoin, "carol",
       nullptr},
      {":carol!~c@127.0.0.1 JOIN #bench", EventKind::kAnnounceJoin, "carol",
       nullptr},
      {":carol!~c@127.0.0.1 QUIT :bye", EventKind::kAnnounceLeave, "carol",
       nullptr},
      {":carol!~c@127.0.0.1 PART #bench", EventKind::kAnnounceLeave, "carol",
       nullptr},
      {"PING :srv.example", EventKind::kPing, "", "srv.example"},
      {"PING token", EventKind::kPing, "", "token"},
      {"ERROR :Closing connection", EventKind::kBye, "", "Closing connection"},
      {":srv 433 * alice :Nickname already in use", EventKind::kError, "",
       ":srv 433 * alice :Nickname already in use"},
      {":srv 372 alice :- motd", EventKind::kOther, "srv", nullptr},
      {":srv NOTICE alice :hi", EventKind::kOther, "srv", nullptr},
      {"", EventKind::kMalformed, "", nullptr},
  };
  ExpectParsed(*irc, cases);
}

// chat-bench login: accounts are created with REGISTER and logged in to
// with LOGIN; the matching OK is the registration, the rest is chat.
TEST(ChatAccountDialectTest, RegistersThroughAnAccount) {
  auto create = MakeChatAccountDialect(AccountStep::kCreate, "secret-pw");
  auto log_in = MakeChatAccountDialect(AccountStep::kLogIn, "secret-pw");
  std::string out;
  create->Register("alice", &out);
  log_in->Register("alice", &out);
  log_in->Quit(&out);
  EXPECT_EQ(out, "REGISTER alice secret-pw\nLOGIN alice secret-pw\nQUIT\n");
  EXPECT_EQ(log_in->name(), "chat");
  const ParseCase create_cases[] = {
      {"OK REGISTER Alice", EventKind::kRegistered, "Alice", nullptr},
      {"OK JOIN alice", EventKind::kRegistered, "alice", nullptr},
      {"ERR Unavailable: no database", EventKind::kError, "", nullptr},
  };
  ExpectParsed(*create, create_cases);
  const ParseCase login_cases[] = {
      {"OK LOGIN Alice", EventKind::kRegistered, "Alice", nullptr},
      {"OK REGISTER Alice", EventKind::kAck, "REGISTER", "Alice"},
      {"OK QUIT", EventKind::kQuitAck, "", nullptr},
      {"JOINED bob", EventKind::kAnnounceJoin, "bob", nullptr},
      {"OFFLINE 1 2026-12-04T13:05:03.818Z bob hi", EventKind::kOther, "",
       nullptr},
      {"ERR Login Failed", EventKind::kError, "", nullptr},
  };
  ExpectParsed(*log_in, login_cases);
}

TEST(DialectTest, NamesCompareWithoutRegardToAsciiCase) {
  EXPECT_TRUE(SameName("Alice", "aLICE"));
  EXPECT_FALSE(SameName("Alice", "Alic"));
  EXPECT_FALSE(SameName("a1", "a2"));
}

}  // namespace
}  // namespace chat::bench
