// Rendering: the exact text of each kind of line, sanitising of network
// text, and colour only when asked for.
#include "client/renderer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chat::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(RendererTest, MessagesReadLikeAChat) {
  const Renderer r(false);
  EXPECT_EQ(r.PrivateFrom("Bob", "hi"), "[private] Bob: hi");
  EXPECT_EQ(r.PrivateTo("Bob", "hi"), "[private] to Bob: hi");
  EXPECT_EQ(r.Broadcast("Alice", "Hello"), "Alice: Hello");
  EXPECT_EQ(r.SendingBroadcast("Alice"), "Alice is sending a broadcast");
  EXPECT_EQ(r.Joined("Bob"), "Bob joined!");
  EXPECT_EQ(r.Left("Alex"), "Alex left");
  EXPECT_EQ(r.Pong("x"), "PONG x");
  EXPECT_EQ(r.Pong(""), "PONG");
}

TEST(RendererTest, UserListHasACountAndOneNamePerLine) {
  const Renderer r(false);
  EXPECT_THAT(
      r.UserList({"Alice", "Bob", "Carol"}, "Bob"),
      ElementsAre("3 users online:", "  Alice", "  Bob (you)", "  Carol"));
  EXPECT_THAT(r.UserList({"Alice"}, "Alice"),
              ElementsAre("1 user online:", "  Alice (you)"));
}

TEST(RendererTest, ByeSaysTheServerClosedAndWhy) {
  const Renderer r(false);
  EXPECT_EQ(r.Bye("Server shutting down"),
            "The server closed the connection: Server shutting down");
  EXPECT_EQ(r.Bye(""), "The server closed the connection");
}

TEST(RendererTest, UnknownRecipientShowsTheUndeliveredText) {
  const Renderer r(false);
  SentRequest mesg{SentRequest::Kind::kMesg, "Carol", "are you there?"};
  EXPECT_EQ(r.ServerError("Unknown Recipient", "Carol", &mesg),
            "Error: Carol is not online; not delivered: are you there?");
  EXPECT_EQ(r.ServerError("Unknown Recipient", "Carol", nullptr),
            "Error: Carol is not online");
}

TEST(RendererTest, EveryErrorPhraseBecomesASentence) {
  const Renderer r(false);
  SentRequest join{SentRequest::Kind::kJoin, "Bob", ""};
  EXPECT_EQ(r.ServerError("Username Taken", "", &join),
            "Error: The username Bob is taken");
  EXPECT_EQ(r.ServerError("Invalid Username", "", &join),
            "Error: Invalid username Bob: use 1 to 32 letters or digits");
  EXPECT_EQ(
      r.ServerError("Unregistered User", "send JOIN <username> first", nullptr),
      "Error: Not registered yet: choose a username first");
  EXPECT_EQ(r.ServerError("Unknown Message", "FOO", nullptr),
            "Error: The server does not know the command FOO");
  EXPECT_EQ(r.ServerError("Bad Syntax", "MESG <username> <text>", nullptr),
            "Error: The server did not understand that; the form is: MESG "
            "<username> <text>");
  EXPECT_EQ(r.ServerError("Already Registered", "Alice", nullptr),
            "Error: You are already registered as Alice");
  EXPECT_EQ(r.ServerError("Too Many Users", "", nullptr),
            "Error: The server is full: too many users are registered");
  EXPECT_EQ(r.ServerError("Too Many Connections", "", nullptr),
            "Error: The server has too many connections; try again later");
  EXPECT_THAT(r.ServerError("Line Too Long", "", nullptr), HasSubstr("4096"));
  EXPECT_THAT(r.ServerError("Invalid Text", "", nullptr),
              HasSubstr("invalid UTF-8"));
  EXPECT_THAT(r.ServerError("Send Queue Exceeded", "", nullptr),
              HasSubstr("did not read fast enough"));
  EXPECT_EQ(r.ServerError("Something New", "details", nullptr),
            "Error: The server answered: Something New: details");
}

TEST(RendererTest, ControlBytesFromTheNetworkNeverReachTheTerminal) {
  const Renderer r(false);
  const std::string evil = "hi\x1b[2J\x07\r\x9b";
  for (const std::string& line :
       {r.PrivateFrom("Bob\x1b", evil), r.Broadcast("Bob", evil), r.Bye(evil),
        r.Unknown(evil), r.Joined(evil), r.Left(evil),
        r.ServerError("Bad Syntax", evil, nullptr), r.Pong(evil)}) {
    for (char c : line) {
      const auto byte = static_cast<unsigned char>(c);
      EXPECT_FALSE(byte < 0x20 || byte == 0x7f)
          << "control byte " << int(byte) << " in: " << line;
    }
    EXPECT_THAT(line, Not(HasSubstr("\x9b")));
  }
  EXPECT_EQ(r.Broadcast("Bob", "a\x1b[31mb"), "Bob: a^[[31mb");
}

TEST(RendererTest, ColourOnlyWhenEnabled) {
  const Renderer plain(false);
  const Renderer colour(true);
  EXPECT_THAT(plain.PrivateFrom("Bob", "hi"), Not(HasSubstr("\x1b")));
  EXPECT_THAT(plain.Error("x"), Not(HasSubstr("\x1b")));
  EXPECT_EQ(colour.PrivateFrom("Bob", "hi"),
            "\x1b[35m[private]\x1b[0m \x1b[1mBob\x1b[0m: hi");
  EXPECT_THAT(colour.Error("x"), HasSubstr("\x1b[31m"));
  EXPECT_THAT(colour.Joined("Bob"), HasSubstr("\x1b[32m"));
}

TEST(RendererTest, HistoryLinesCarryTheTime) {
  const Renderer r(false);
  HistoryEntry in{0, HistoryEntry::Kind::kPrivateIn, "Bob", "hi"};
  const std::string clock = FormatClock(0);
  EXPECT_EQ(r.HistoryLine(in), "[" + clock + "] [private] Bob: hi");
  HistoryEntry out{0, HistoryEntry::Kind::kPrivateOut, "Bob", "yo"};
  EXPECT_EQ(r.HistoryLine(out), "[" + clock + "] [private] to Bob: yo");
  HistoryEntry all{0, HistoryEntry::Kind::kBroadcastOut, "Alice", "Hello"};
  EXPECT_EQ(r.HistoryLine(all), "[" + clock + "] Alice: Hello");
}

}  // namespace
}  // namespace chat::client
