// The real client against a real server with its own data directory:
// registering, logging in from --password-file, Name Reserved leading to a
// hidden password prompt on a pseudo-terminal (the password never on the
// screen), OFFLINE messages and /history from the server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>

#include "client_process.h"
#include "support/connection.h"
#include "support/pty_process.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kPassword = "correct-horse";

class ClientAccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    server_ = ServerProcess::Start({"--data-dir", dir_});
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    server_.reset();
    RemoveTree(dir_);
  }
  uint16_t port() const { return server_->port(); }

  std::string PasswordFile(std::string_view password) {
    const std::string path = dir_ + "/password";
    std::ofstream(path) << password << "\n";
    chmod(path.c_str(), 0600);
    return path;
  }

  // Registers `name` with the scripted client and leaves.
  void RegisterWithClient(const std::string& name) {
    auto client = StartClient(port(), {"--user", name, "--register"});
    client->WriteStdin(std::string(kPassword) + "\n");
    client->CloseStdin();
    const auto lines = ReadAllLines(*client);
    EXPECT_THAT(lines, Contains(HasSubstr("is now your account")));
    for (const std::string& line : lines) {
      EXPECT_THAT(line, Not(HasSubstr(kPassword)));
    }
    EXPECT_EQ(ExitCode(*client), 0);
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ClientAccountsTest, RegisteredAccountLogsInWithPasswordFile) {
  RegisterWithClient("Alice");
  // The name is now reserved for everyone else.
  auto raw = ConnectAndGreet(port());
  ASSERT_NE(raw, nullptr);
  raw->SendLine("JOIN Alice");
  EXPECT_EQ(raw->ReadLine(),
            "ERR Name Reserved: log in with LOGIN <username> <password>");

  auto alice =
      StartClient(port(), {"--user", "Alice", "--login", "--password-file",
                           PasswordFile(kPassword)});
  alice->CloseStdin();
  const auto lines = ReadAllLines(*alice);
  EXPECT_THAT(lines, Contains(HasSubstr("Logged in to the account Alice")));
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ClientAccountsTest, WrongPasswordFromFileEndsRejected) {
  RegisterWithClient("Alice");
  auto alice =
      StartClient(port(), {"--user", "Alice", "--login", "--password-file",
                           PasswordFile("not-the-one")});
  alice->CloseStdin();
  EXPECT_THAT(ReadAllLines(*alice), Contains(HasSubstr("Login failed")));
  EXPECT_NE(ExitCode(*alice), 0);
}

TEST_F(ClientAccountsTest, ScriptedNameReservedTakesTheNextLineAsPassword) {
  RegisterWithClient("Alice");
  auto alice = StartClient(port(), {});
  alice->WriteStdin("Alice\n" + std::string(kPassword) + "\nLIST\n");
  alice->CloseStdin();
  const auto lines = ReadAllLines(*alice);
  EXPECT_THAT(lines, Contains(HasSubstr("belongs to an account")));
  EXPECT_THAT(lines, Contains("  Alice (you)"));
  for (const std::string& line : lines) {
    EXPECT_THAT(line, Not(HasSubstr(kPassword)));
  }
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ClientAccountsTest, QueuedMessageArrivesAsOfflineWithItsTime) {
  RegisterWithClient("Alice");
  auto bob = StartClient(port(), {"--user", "Bob"});
  bob->WriteStdin("Alice:while you slept\n");
  bob->CloseStdin();
  EXPECT_THAT(ReadAllLines(*bob),
              Contains("(Alice is away: queued, delivered when Alice logs "
                       "in)"));
  EXPECT_EQ(ExitCode(*bob), 0);

  auto alice =
      StartClient(port(), {"--user", "Alice", "--login", "--password-file",
                           PasswordFile(kPassword)});
  alice->CloseStdin();
  const auto lines = ReadAllLines(*alice);
  bool seen = false;
  for (const std::string& line : lines) {
    if (line.starts_with("[private, while you were away, ") &&
        line.ends_with("] Bob: while you slept")) {
      seen = true;
    }
  }
  EXPECT_TRUE(seen) << ::testing::PrintToString(lines);
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(ClientAccountsTest, HistoryAsksTheServerForEarlierSessions) {
  auto first = StartClient(port(), {"--user", "Carol"});
  first->WriteStdin("before you came\n");
  first->CloseStdin();
  ReadAllLines(*first);
  EXPECT_EQ(ExitCode(*first), 0);

  // The store writes history in the background: wait (bounded) until the
  // line is there, as a raw HISTORY shows it.
  auto watcher = ConnectAndJoin(port(), "Watcher");
  ASSERT_NE(watcher, nullptr);
  bool stored = false;
  for (int attempt = 0; attempt < 50 && !stored; ++attempt) {
    watcher->SendLine("HISTORY * 1");
    for (std::optional<std::string> line = watcher->ReadLine();
         line && !line->starts_with("OK HISTORY"); line = watcher->ReadLine()) {
      if (line->ends_with("Carol * before you came")) stored = true;
    }
    if (!stored) usleep(20000);
  }
  ASSERT_TRUE(stored);

  auto second = StartClient(port(), {"--user", "Dave"});
  second->WriteStdin("/history\n/history\n");
  second->CloseStdin();
  const auto lines = ReadAllLines(*second);
  EXPECT_THAT(lines, Contains(HasSubstr("kept by the server (1):")));
  bool seen = false;
  for (const std::string& line : lines) {
    if (line.starts_with("[") && line.ends_with("] Carol: before you came")) {
      seen = true;
    }
  }
  EXPECT_TRUE(seen) << ::testing::PrintToString(lines);
  EXPECT_THAT(lines, Contains("No older messages on the server"));
  EXPECT_EQ(ExitCode(*second), 0);
}

TEST_F(ClientAccountsTest, PasswordIsNeverOnTheTerminal) {
  RegisterWithClient("Alice");
  PtyProcess::Options options;
  options.env = {"TERM=xterm", "HOME=/nonexistent", "NO_COLOR=1"};
  auto alice = PtyProcess::Start(
      ProgramPath("client"), {"127.0.0.1", std::to_string(port())}, options);
  size_t at = 0;
  auto saw = [&](std::string_view needle) {
    const auto end = alice->WaitFor(needle, at);
    if (end) at = *end;
    return end.has_value();
  };
  ASSERT_TRUE(saw("Enter JOIN followed by your username: "));
  alice->Type("Alice\r");
  ASSERT_TRUE(saw("Password for Alice: ")) << alice->screen();
  EXPECT_FALSE(alice->Settings().c_lflag & ECHO) << "echo on at the prompt";
  alice->Type(std::string(kPassword) + "\r");
  ASSERT_TRUE(saw("Alice> ")) << alice->screen();
  // Up recalls the line history: the password is not in it.
  alice->Type("\x1b[A");
  ASSERT_TRUE(saw("Alice")) << alice->screen();  // the name, typed last
  alice->Type("\x15/quit\r");  // Ctrl-U empties the line first
  const auto status = alice->Wait();
  ASSERT_TRUE(status && WIFEXITED(*status)) << alice->screen();
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_THAT(alice->screen(), Not(HasSubstr(kPassword)));
}

}  // namespace
}  // namespace chat::test
