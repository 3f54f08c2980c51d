// The real client with stdin a pipe or a file, against a real server, and
// raw-socket peers checking what actually went over the wire.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "client_process.h"
#include "support/connection.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

class ScriptedClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
  }
  uint16_t port() const { return server_->port(); }
  std::string Joined(const std::string& name) {
    return name +
           " joined! Connected to server 127.0.0.1:" + std::to_string(port()) +
           ".";
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ScriptedClientTest, PipedLinesReachPeersAsRequestsAndAnswersPrint) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {"--user", "Alice"});
  ASSERT_TRUE(alice->WriteStdin("LIST\nBob:hi\nhello all\n"));
  alice->CloseStdin();

  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  EXPECT_EQ(bob->ReadLine(), "MESG Alice hi");
  EXPECT_EQ(bob->ReadLine(), "BCST Alice hello all");
  EXPECT_EQ(bob->ReadLine(), "LEFT Alice");

  EXPECT_THAT(
      ReadAllLines(*alice),
      ElementsAre(Joined("Alice"), "2 users online:", "  Bob", "  Alice (you)",
                  "[private] to Bob: hi", "Alice is sending a broadcast",
                  "Alice: hello all", "Alice is quitting the chat server",
                  "Disconnected."));
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, EveryPrivateFormArrivesAsMesg) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {"--user", "Alice"});
  alice->WriteStdin(
      "/msg Bob one\nBob:two\n!private Bob three\nprivate txt Bob four\n"
      "MESG Bob five\nbob:six\n");
  alice->CloseStdin();
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  for (const char* text : {"one", "two", "three", "four", "five", "six"}) {
    EXPECT_EQ(bob->ReadLine(), std::string("MESG Alice ") + text);
  }
  EXPECT_EQ(bob->ReadLine(), "LEFT Alice");
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, EveryBroadcastFormAndAmbiguousColonArriveAsBcst) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {"--user", "Alice"});
  alice->WriteStdin(
      "/all one\nBCST two\nbdct txt three\nfour\nhttp://x\nBob: hi\n"
      "note: hi\n12:30\n");
  alice->CloseStdin();
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  for (const char* text : {"one", "two", "three", "four", "http://x", "Bob: hi",
                           "note: hi", "12:30"}) {
    EXPECT_EQ(bob->ReadLine(), std::string("BCST Alice ") + text);
  }
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, EachQuitFormEndsTheSessionAndLaterLinesAreNotSent) {
  for (const char* quit : {"/quit", "server:exit", "!bye", "exit", "QUIT"}) {
    auto bob = ConnectAndJoin(port(), "Bob");
    ASSERT_NE(bob, nullptr);
    auto alice = StartClient(port(), {"--user", "Alice"});
    // stdin stays open: only the quit command may end the session.
    alice->WriteStdin(std::string(quit) + "\nnever sent\n");
    EXPECT_EQ(bob->ReadLine(), "JOINED Alice") << quit;
    EXPECT_EQ(bob->ReadLine(), "LEFT Alice") << quit;
    EXPECT_THAT(ReadAllLines(*alice), Contains("Disconnected.")) << quit;
    EXPECT_EQ(ExitCode(*alice), 0) << quit;
    bob->SendLine("QUIT");
    EXPECT_TRUE(bob->WaitClosed());
  }
}

TEST_F(ScriptedClientTest, FirstInputLineIsTheName) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {});
  alice->WriteStdin("Alice\nhi\n");
  alice->CloseStdin();
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  EXPECT_EQ(bob->ReadLine(), "BCST Alice hi");
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, TakenNameThenInvalidThenFreeName) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {});
  alice->WriteStdin("bob\nB@d\nJOIN Alice\nLIST\n");
  alice->CloseStdin();
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  EXPECT_THAT(
      ReadAllLines(*alice),
      ElementsAre("Error: The username bob is taken",
                  "Error: Invalid username B@d: use 1 to 32 letters "
                  "or digits",
                  Joined("Alice"), "2 users online:", "  Bob", "  Alice (you)",
                  "Alice is quitting the chat server", "Disconnected."));
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, RefusedUserOptionInAScriptExitsRejected) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {"--user", "BOB"});
  alice->WriteStdin("hello\n");
  EXPECT_THAT(ReadAllLines(*alice),
              ElementsAre("Error: The username BOB is taken"));
  EXPECT_EQ(ExitCode(*alice), 4);
  // Nothing the script held was sent as someone else's message.
  bob->SendLine("PING done");
  EXPECT_EQ(bob->ReadLine(), "PONG done");
}

TEST_F(ScriptedClientTest, IncomingMessagesAndHistoryPrint) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {"--user", "Alice"});
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  bob->SendLine("MESG alice hi there");
  bob->SendLine("BCST Hello all");
  ASSERT_TRUE(alice->WaitForStdout("Bob: Hello all"));
  alice->WriteStdin("Bob:fine\n/history Bob\n");
  alice->CloseStdin();
  const auto lines = ReadAllLines(*alice);
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], "[private] to Bob: fine");
  EXPECT_EQ(lines[1], "History with Bob (3 messages):");
  EXPECT_THAT(lines[2], ::testing::MatchesRegex(
                            "\\[..:..:..\\] \\[private\\] Bob: hi there"));
  EXPECT_THAT(lines[3],
              ::testing::MatchesRegex("\\[..:..:..\\] Bob: Hello all"));
  EXPECT_THAT(lines[4], ::testing::MatchesRegex(
                            "\\[..:..:..\\] \\[private\\] to Bob: fine"));
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, JoinsAndLeavesOfOthersPrint) {
  auto alice = StartClient(port(), {"--user", "Alice"});
  ASSERT_TRUE(alice->WaitForStdout(Joined("Alice")));
  {
    auto bob = ConnectAndJoin(port(), "Bob");
    ASSERT_NE(bob, nullptr);
    EXPECT_TRUE(alice->WaitForStdout("Bob joined!"));
  }  // closed abruptly
  EXPECT_TRUE(alice->WaitForStdout("Bob left"));
  alice->CloseStdin();
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, ServerShutdownSaysByeAndExitsZero) {
  auto alice = StartClient(port(), {"--user", "Alice"});
  ASSERT_TRUE(alice->WaitForStdout(Joined("Alice")));
  server_->process().Signal(SIGTERM);
  EXPECT_THAT(ReadAllLines(*alice),
              ElementsAre("The server closed the connection: Server shutting "
                          "down"));
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, ServerKilledEndsClientWithFailure) {
  auto alice = StartClient(port(), {"--user", "Alice"});
  ASSERT_TRUE(alice->WaitForStdout(Joined("Alice")));
  // The workers die first: a worker outliving its broker would say BYE.
  const auto workers = ChildrenOf(server_->pid());
  ASSERT_FALSE(workers.empty());
  for (pid_t worker : workers) kill(worker, SIGKILL);
  server_->process().Signal(SIGKILL);
  const auto error = alice->WaitForStderr("connection");
  ASSERT_TRUE(error.has_value()) << "no error line on stderr";
  // The program names itself as it was started: ./client here.
  EXPECT_THAT(*error,
              ::testing::AnyOf(
                  "client: the server closed the connection",
                  ::testing::StartsWith("client: lost the connection to the "
                                        "server: ")));
  EXPECT_EQ(ExitCode(*alice), 1);
}

TEST_F(ScriptedClientTest, StdinFromARegularFile) {
  char path[] = "/tmp/chat-client-test-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  // The last line has no LF: it still counts.
  const std::string script = "Alice\nLIST\nfinal words";
  ASSERT_EQ(write(fd, script.data(), script.size()),
            static_cast<ssize_t>(script.size()));
  close(fd);
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  Subprocess::Options options;
  options.stdin_file = path;
  auto alice = StartClient(port(), {}, options);
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  EXPECT_EQ(bob->ReadLine(), "BCST Alice final words");
  EXPECT_THAT(ReadAllLines(*alice),
              IsSupersetOf(std::vector<std::string>{
                  Joined("Alice"), "2 users online:", "Alice: final words",
                  "Disconnected."}));
  EXPECT_EQ(ExitCode(*alice), 0);
  unlink(path);
}

TEST_F(ScriptedClientTest, StdinFromDevNullQuitsCleanly) {
  Subprocess::Options options;
  options.stdin_pipe = false;  // /dev/null
  auto nameless = StartClient(port(), {}, options);
  EXPECT_THAT(ReadAllLines(*nameless), ElementsAre("Disconnected."));
  EXPECT_EQ(ExitCode(*nameless), 0);

  auto alice = StartClient(port(), {"--user", "Alice"}, options);
  EXPECT_THAT(ReadAllLines(*alice),
              ElementsAre(Joined("Alice"), "Alice is quitting the chat server",
                          "Disconnected."));
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, ClosedStandardInputOrOutputIsLikeDevNull) {
  // Started by a shell with "<&-" or ">&-": the descriptors libuv opens
  // must not take the standard numbers.
  Subprocess::Options options;
  options.stdin_pipe = false;  // /dev/null unless closed: input ends at once
  for (const char* redirect : {"0<&-", "1>&-", "0<&- 1>&- 2>&-"}) {
    auto bob = ConnectAndJoin(port(), "Bob");
    ASSERT_NE(bob, nullptr);
    auto alice =
        Subprocess::Start("/bin/sh",
                          {"-c", std::string("exec \"$0\" \"$@\" ") + redirect,
                           ProgramPath("client"), "--user", "Alice",
                           "127.0.0.1", std::to_string(port())},
                          options);
    EXPECT_EQ(bob->ReadLine(), "JOINED Alice") << redirect;
    EXPECT_EQ(bob->ReadLine(), "LEFT Alice") << redirect;
    EXPECT_EQ(ExitCode(*alice), 0) << redirect;
    bob->SendLine("QUIT");
    EXPECT_TRUE(bob->WaitClosed());
  }
}

TEST_F(ScriptedClientTest, TooLongAndMalformedLinesAreReportedNextLinesSent) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {"--user", "Alice"});
  alice->WriteStdin(std::string(5000, 'x') + "\n/msg Bob\n/nope\nstill here\n");
  alice->CloseStdin();
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  EXPECT_EQ(bob->ReadLine(), "BCST Alice still here");
  const auto lines = ReadAllLines(*alice);
  EXPECT_THAT(lines, Contains(HasSubstr("Not sent: the line is longer")));
  EXPECT_THAT(lines, Contains("Error: Usage: /msg NAME TEXT"));
  EXPECT_THAT(lines, Contains(HasSubstr("Unknown command: /nope")));
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, ManyPipelinedLinesAllArriveInOrder) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {"--user", "Alice"});
  std::string script;
  constexpr int kLines = 2000;
  for (int i = 0; i < kLines; ++i) script += "Bob:" + std::to_string(i) + "\n";
  // About 20 KB: fits the pipe even before the client reads it.
  ASSERT_TRUE(alice->WriteStdin(script));
  alice->CloseStdin();
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  for (int i = 0; i < kLines; ++i) {
    ASSERT_EQ(bob->ReadLine(), "MESG Alice " + std::to_string(i));
  }
  const auto lines = ReadAllLines(*alice);
  // joined, kLines echoes, quitting, Disconnected
  EXPECT_EQ(lines.size(), kLines + 3u);
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ScriptedClientTest, TooManyUsersExitsRejected) {
  server_.reset();
  server_ = ServerProcess::Start({"--max-users", "1"});
  ASSERT_NE(server_, nullptr);
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartClient(port(), {"--user", "Alice"});
  EXPECT_THAT(ReadAllLines(*alice), Contains(HasSubstr("server is full")));
  EXPECT_EQ(ExitCode(*alice), 4);
}

// --- Connecting ------------------------------------------------------------

TEST(ClientConnectTest, UnknownHostExitsWithOneReadableLine) {
  auto client = Subprocess::Start(ProgramPath("client"),
                                  {"no-such-host.invalid", "8001"});
  EXPECT_EQ(ExitCode(*client), 3);
  std::string err;
  ASSERT_TRUE(client->err().ReadToEof(&err));
  EXPECT_THAT(err, HasSubstr("cannot resolve host no-such-host.invalid"));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST(ClientConnectTest, RefusedPortExitsWithOneReadableLine) {
  // A port that was just free: bind, learn it, close.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  auto client =
      Subprocess::Start(ProgramPath("client"),
                        {"127.0.0.1", std::to_string(ntohs(address.sin_port))});
  EXPECT_EQ(ExitCode(*client), 3);
  std::string err;
  ASSERT_TRUE(client->err().ReadToEof(&err));
  EXPECT_THAT(err, HasSubstr("connection refused"));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST(ClientConnectTest, BadPortIsAUsageError) {
  auto client =
      Subprocess::Start(ProgramPath("client"), {"localhost", "99999"});
  EXPECT_EQ(ExitCode(*client), 2);
}

TEST_F(ScriptedClientTest, ConnectsOverIpv6AndByHostName) {
  // "[::1]" as the client itself prints it ("Connected to server
  // [::1]:PORT").
  for (const char* host : {"::1", "[::1]", "localhost"}) {
    auto client =
        Subprocess::Start(ProgramPath("client"),
                          {host, std::to_string(port()), "--user", "Alice"});
    client->CloseStdin();
    const auto lines = ReadAllLines(*client);
    EXPECT_THAT(lines, Contains(HasSubstr("Alice joined!"))) << host;
    if (std::string_view(host).find(':') != std::string_view::npos) {
      EXPECT_THAT(lines, Contains(HasSubstr("server [::1]:"))) << host;
    }
    EXPECT_EQ(ExitCode(*client), 0) << host;
  }
}

}  // namespace
}  // namespace chat::test
