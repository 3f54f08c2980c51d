// Session: the flow of CLIENT.md with the I/O replaced by a recorder: which
// requests go out, what is shown, when and how the session ends.
#include "client/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "client/exit_code.h"
#include "recording_io.h"

namespace chat::client {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class SessionTest : public ::testing::Test {
 protected:
  void Make(std::optional<std::string> user, bool interactive = false) {
    Session::Settings settings;
    settings.user = std::move(user);
    settings.interactive = interactive;
    settings.server = "localhost:8001";
    settings.clock = [] { return std::time_t{0}; };
    session_.emplace(settings, renderer_, io_);
  }
  // Connects as `name` with --user and answers the JOIN.
  void Joined(const std::string& name) {
    Make(name);
    session_->OnConnected();
    session_->OnServerLine("HELLO chat-server");
    session_->OnServerLine("OK JOIN " + name);
    io_.sent.clear();
    io_.shown.clear();
  }
  Session& s() { return *session_; }

  Renderer renderer_{false};
  RecordingIo io_;
  std::optional<Session> session_;
};

TEST_F(SessionTest, UserOptionJoinsOnConnect) {
  Make("Alice");
  s().OnConnected();
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Alice"));
  s().OnServerLine("OK JOIN Alice");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("Alice joined!")));
  EXPECT_EQ(io_.prompt, "Alice> ");
}

TEST_F(SessionTest, FirstLineIsTheNameWithOrWithoutJoin) {
  for (const char* typed : {"Alice", "JOIN Alice"}) {
    io_ = RecordingIo();
    Make(std::nullopt);
    s().OnConnected();
    s().OnInputLine(typed);
    EXPECT_THAT(io_.sent, ElementsAre("JOIN Alice")) << "typed: " << typed;
  }
}

TEST_F(SessionTest, InteractiveNamePromptIsShownUntilJoined) {
  Make(std::nullopt, true);
  s().OnConnected();
  EXPECT_EQ(io_.prompt, kNamePrompt);
  s().OnInputLine("Alice");
  s().OnServerLine("OK JOIN Alice");
  EXPECT_EQ(io_.prompt, "Alice> ");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("/help")));
}

TEST_F(SessionTest, TakenOrInvalidNameAsksAgain) {
  Make(std::nullopt, true);
  s().OnConnected();
  s().OnInputLine("Bob");
  s().OnServerLine("ERR Username Taken");
  EXPECT_THAT(io_.shown, Contains("Error: The username Bob is taken"));
  EXPECT_EQ(io_.prompt, kNamePrompt);
  s().OnInputLine("B@d");
  s().OnServerLine("ERR Invalid Username: B@d");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("Invalid username B@d")));
  s().OnInputLine("Alice");
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Bob", "JOIN B@d", "JOIN Alice"));
  s().OnServerLine("OK JOIN Alice");
  EXPECT_FALSE(io_.exit_code.has_value());
}

TEST_F(SessionTest, SpacesAroundATypedNameAreIgnored) {
  Make(std::nullopt, true);
  s().OnConnected();
  s().OnInputLine("  Alice ");
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Alice"));
  EXPECT_THAT(io_.shown, IsEmpty());
}

TEST_F(SessionTest, AnyErrorAnsweringTheJoinAsksForANameAgain) {
  // Not an answer this server gives to a JOIN, but whatever the reason, a
  // failed JOIN must not leave the user without a prompt until the join
  // timeout.
  Make(std::nullopt, true);
  s().OnConnected();
  s().OnInputLine("Alice");
  s().OnServerLine("ERR Bad Syntax: JOIN <username>");
  EXPECT_EQ(io_.prompt, kNamePrompt);
  s().OnInputLine("Alice");
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Alice", "JOIN Alice"));
}

TEST_F(SessionTest, NameFromTheServerReachesThePromptOnlyIfValid) {
  // A server (or something posing as one) answering JOIN with escape
  // sequences must not get them into the prompt, which is written raw.
  Make("Alice", true);
  s().OnConnected();
  s().OnServerLine("OK JOIN Alice\x1b]0;owned\x07");
  EXPECT_EQ(io_.prompt, "Alice> ");
  EXPECT_EQ(s().name(), "Alice");
}

TEST_F(SessionTest, ScriptedLinesAfterARefusedNameAreTheNextNames) {
  Make(std::nullopt);
  s().OnConnected();
  s().OnInputLine("Bob");
  s().OnInputLine("Alice");
  s().OnInputLine("LIST");
  // Nothing but the first JOIN goes out before its answer.
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Bob"));
  s().OnServerLine("ERR Username Taken");
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Bob", "JOIN Alice"));
  s().OnServerLine("OK JOIN Alice");
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Bob", "JOIN Alice", "LIST"));
}

TEST_F(SessionTest, ScriptWithRefusedUserOptionEndsRejected) {
  Make("Bob");
  s().OnConnected();
  s().OnInputLine("hello");
  s().OnServerLine("ERR Username Taken");
  EXPECT_EQ(io_.exit_code, kExitRejected);
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Bob"));
}

TEST_F(SessionTest, TooManyUsersEndsRejected) {
  Make("Alice");
  s().OnConnected();
  s().OnServerLine("ERR Too Many Users");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("server is full")));
  EXPECT_EQ(io_.exit_code, kExitRejected);
}

TEST_F(SessionTest, TooManyConnectionsInsteadOfHelloEndsRejected) {
  Make("Alice");
  s().OnConnected();
  s().OnServerLine("ERR Too Many Connections");
  EXPECT_EQ(io_.exit_code, kExitRejected);
}

TEST_F(SessionTest, AnswersAreShownWithTheRequestTheyAnswer) {
  Joined("Alice");
  s().OnInputLine("Bob:hi");
  s().OnInputLine("Carol:are you there?");
  s().OnInputLine("hello all");
  s().OnInputLine("/who");
  EXPECT_THAT(io_.sent, ElementsAre("MESG Bob hi", "MESG Carol are you there?",
                                    "BCST hello all", "LIST"));
  s().OnServerLine("OK MESG bob");           // the recipient's own spelling
  s().OnServerLine("MESG Bob quick reply");  // a push between answers
  s().OnServerLine("ERR Unknown Recipient: Carol");
  s().OnServerLine("OK BCST 1");
  s().OnServerLine("LIST Alice,bob");
  EXPECT_THAT(io_.shown,
              ElementsAre("[private] to bob: hi", "[private] Bob: quick reply",
                          "Error: Carol is not online; not delivered: are you "
                          "there?",
                          "Alice is sending a broadcast", "Alice: hello all",
                          "2 users online:", "  Alice (you)", "  bob"));
}

TEST_F(SessionTest, EveryPushIsRendered) {
  Joined("Alice");
  s().OnServerLine("MESG Bob hi");
  s().OnServerLine("BCST Bob Hello all");
  s().OnServerLine("JOINED Carol");
  s().OnServerLine("LEFT Alex");
  s().OnServerLine("SOMETHING new\x1b[2J");
  EXPECT_THAT(io_.shown,
              ElementsAre("[private] Bob: hi", "Bob: Hello all",
                          "Carol joined!", "Alex left", "SOMETHING new^[[2J"));
}

TEST_F(SessionTest, LonelyBroadcastSaysNobodyReadIt) {
  Joined("Alice");
  s().OnInputLine("anyone?");
  s().OnServerLine("OK BCST 0");
  EXPECT_THAT(io_.shown,
              ElementsAre("Alice is sending a broadcast", "Alice: anyone?",
                          "(nobody else is online to read it)"));
}

TEST_F(SessionTest, SpaceBeforeTheColonToAnOnlineUserIsHeldBackAndConfirmed) {
  Make("Alice", true);
  s().OnConnected();
  s().OnServerLine("OK JOIN Alice");
  s().OnServerLine("JOINED Carol");
  io_.sent.clear();
  io_.shown.clear();
  // What "Ca<Tab>:tab" gave before completion added the colon itself.
  s().OnInputLine("Carol :tab");
  EXPECT_THAT(io_.sent, IsEmpty());
  EXPECT_THAT(io_.shown, ElementsAre(HasSubstr("Not sent")));
  EXPECT_THAT(io_.shown[0], HasSubstr("Carol:text"));
  // Typed again at once (Up, Enter): meant for everyone.
  s().OnInputLine("Carol :tab");
  EXPECT_THAT(io_.sent, ElementsAre("BCST Carol :tab"));
  s().OnServerLine("OK BCST 1");
  // Something else in between asks again; so does a space-separated colon.
  io_.sent.clear();
  s().OnInputLine("carol : again");
  s().OnInputLine("/help");
  s().OnInputLine("carol : again");
  EXPECT_THAT(io_.sent, IsEmpty());
  // The private form, a user not online, "/all" and one's own name go out.
  s().OnInputLine("Carol:tab");
  s().OnInputLine("Dave :x");
  s().OnInputLine("/all Carol :x");
  s().OnInputLine("Alice :x");
  EXPECT_THAT(io_.sent, ElementsAre("MESG Carol tab", "BCST Dave :x",
                                    "BCST Carol :x", "BCST Alice :x"));
}

TEST_F(SessionTest, ScriptsSendSpaceBeforeTheColonAsWritten) {
  Joined("Alice");
  s().OnServerLine("JOINED Carol");
  s().OnInputLine("Carol :tab");
  EXPECT_THAT(io_.sent, ElementsAre("BCST Carol :tab"));
}

TEST_F(SessionTest, LocalCommandsWaitForEarlierAnswersToKeepOrder) {
  Joined("Alice");
  s().OnInputLine("LIST");
  s().OnInputLine("/history");
  s().OnInputLine("PING x");
  // /history waits for LIST's answer; PING waits behind /history (which
  // then asks the server for older lines).
  EXPECT_THAT(io_.sent, ElementsAre("LIST"));
  EXPECT_THAT(io_.shown, IsEmpty());
  s().OnServerLine("LIST Alice");
  EXPECT_THAT(io_.shown, ElementsAre("1 user online:", "  Alice (you)",
                                     "No messages yet"));
  EXPECT_THAT(io_.sent, ElementsAre("LIST", "HISTORY * 50", "PING x"));
  s().OnServerLine("OK HISTORY 0");
  s().OnServerLine("PONG x");
  EXPECT_THAT(io_.shown, Contains("PONG x"));
}

TEST_F(SessionTest, HistoryShowsMessagesBothWaysAndFiltersByName) {
  Joined("Alice");
  s().OnServerLine("MESG Bob hi");
  s().OnInputLine("Bob:hello");
  s().OnServerLine("OK MESG Bob");
  s().OnServerLine("BCST Carol party");
  io_.shown.clear();
  s().OnInputLine("/history bob");
  const std::string t = "[" + FormatClock(0) + "] ";
  EXPECT_THAT(io_.shown, ElementsAre("History with bob (2 messages):",
                                     t + "[private] Bob: hi",
                                     t + "[private] to Bob: hello"));
  EXPECT_EQ(io_.sent.back(), "HISTORY bob 50");  // then the server's
  s().OnServerLine("OK HISTORY 0");
  io_.shown.clear();
  s().OnInputLine("/history");
  EXPECT_EQ(io_.shown.size(), 4u);
  s().OnServerLine("OK HISTORY 0");
  io_.shown.clear();
  s().OnInputLine("/history Dave");
  EXPECT_THAT(io_.shown, ElementsAre("No messages with Dave yet"));
}

TEST_F(SessionTest, EndOfInputSendsQuitAfterEverythingElse) {
  Make(std::nullopt);
  s().OnInputLine("Alice");
  s().OnInputLine("hello");
  s().OnInputEnd();
  EXPECT_THAT(io_.sent, IsEmpty());  // not connected yet: all waits
  s().OnConnected();
  s().OnServerLine("OK JOIN Alice");
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Alice", "BCST hello", "QUIT"));
  EXPECT_TRUE(s().quitting());
  s().OnServerLine("OK BCST 0");
  EXPECT_FALSE(io_.exit_code.has_value());
  s().OnServerLine("OK QUIT");
  EXPECT_EQ(io_.exit_code, kExitOk);
  EXPECT_EQ(io_.error, "");
}

TEST_F(SessionTest, QuitCommandStopsHandlingLaterLines) {
  Joined("Alice");
  s().OnInputLine("/quit");
  s().OnInputLine("not sent");
  EXPECT_THAT(io_.sent, ElementsAre("QUIT"));
  EXPECT_EQ(s().backlog(), 0u);
}

TEST_F(SessionTest, ByeEndsWithSuccess) {
  Joined("Alice");
  s().OnServerLine("BYE Server shutting down");
  EXPECT_THAT(io_.shown,
              ElementsAre("The server closed the connection: Server shutting "
                          "down"));
  EXPECT_EQ(io_.exit_code, kExitOk);
  s().OnServerClosed("");  // the close that follows changes nothing
  EXPECT_EQ(io_.exit_code, kExitOk);
}

TEST_F(SessionTest, CloseWithoutGoodbyeEndsWithFailure) {
  Joined("Alice");
  s().OnServerClosed("");
  EXPECT_EQ(io_.exit_code, kExitConnectionLost);
  EXPECT_THAT(io_.error, HasSubstr("closed the connection"));
}

TEST_F(SessionTest, BrokenConnectionSaysHow) {
  Joined("Alice");
  s().OnServerClosed("connection reset by peer");
  EXPECT_EQ(io_.exit_code, kExitConnectionLost);
  EXPECT_THAT(io_.error, HasSubstr("connection reset by peer"));
}

TEST_F(SessionTest, InterruptSendsQuitAndASecondOneEndsAtOnce) {
  Joined("Alice");
  s().OnInterrupt();
  EXPECT_THAT(io_.sent, ElementsAre("QUIT"));
  EXPECT_FALSE(io_.exit_code.has_value());
  s().OnInterrupt();
  EXPECT_EQ(io_.exit_code, kExitConnectionLost);
}

TEST_F(SessionTest, InterruptWhileJoiningQuitsInsteadOfChatting) {
  Make("Alice");
  s().OnConnected();
  s().OnInterrupt();
  s().OnServerLine("OK JOIN Alice");
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Alice", "QUIT"));
  s().OnServerLine("OK QUIT");
  EXPECT_EQ(io_.exit_code, kExitOk);
}

TEST_F(SessionTest, UnansweredQuitTimesOut) {
  Joined("Alice");
  s().OnInputEnd();
  s().OnQuitTimeout();
  EXPECT_EQ(io_.exit_code, kExitConnectionLost);
}

TEST_F(SessionTest, LinesThatCannotBeRequestsAreReportedNotSent) {
  Joined("Alice");
  s().OnInputLine(std::string(5000, 'x'));
  s().OnInputTooLong();
  s().OnInputLine("bad \x01 byte");
  s().OnInputLine("fine");
  EXPECT_THAT(io_.sent, ElementsAre("BCST fine"));
  EXPECT_EQ(io_.shown.size(), 3u);
  for (const std::string& line : io_.shown) {
    EXPECT_THAT(line, HasSubstr("Not sent"));
  }
}

TEST_F(SessionTest, RawProtocolLinesWorkBeforeJoining) {
  Make(std::nullopt);
  s().OnConnected();
  s().OnInputLine("PING 1");
  s().OnInputLine("LIST");
  EXPECT_THAT(io_.sent, ElementsAre("PING 1", "LIST"));
  s().OnServerLine("PONG 1");
  s().OnServerLine("ERR Unregistered User: send JOIN <username> first");
  EXPECT_THAT(io_.shown, ElementsAre("PONG 1", HasSubstr("Not registered")));
  s().OnInputLine("two words");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("Choose a username first")));
}

TEST_F(SessionTest, JoinWhileRegisteredShowsAlreadyRegistered) {
  Joined("Alice");
  s().OnInputLine("server:register Bob");
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Bob"));
  s().OnServerLine("ERR Already Registered: Alice");
  EXPECT_THAT(io_.shown, ElementsAre("Error: You are already registered as "
                                     "Alice"));
  EXPECT_FALSE(io_.exit_code.has_value());
}

}  // namespace
}  // namespace chat::client
