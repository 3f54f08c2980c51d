// The real client on a pseudo-terminal, typed at like a person, against a
// real server: incoming lines never mangle the half-typed line, the editing
// keys work, and every way out gives the terminal back as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>

#include "support/connection.h"
#include "support/pty_process.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kNamePrompt =
    "Enter JOIN followed by your username: ";

class InteractiveClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
  }

  // The client on a fresh 80x24 terminal; NO_COLOR unless `color`.
  std::unique_ptr<PtyProcess> Start(const std::vector<std::string>& args,
                                    bool color = false) {
    std::vector<std::string> all{"127.0.0.1", std::to_string(server_->port())};
    all.insert(all.end(), args.begin(), args.end());
    PtyProcess::Options options;
    // No ~/.editrc of whoever runs the tests may change the keys.
    options.env = {"TERM=xterm", "HOME=/nonexistent",
                   color ? "NO_COLOR=" : "NO_COLOR=1"};
    return PtyProcess::Start(ProgramPath("client"), all, options);
  }

  // Waits for `needle` after offset *at and moves *at past it.
  static ::testing::AssertionResult Saw(PtyProcess& client,
                                        std::string_view needle, size_t* at) {
    const auto end = client.WaitFor(needle, *at);
    if (!end) {
      return ::testing::AssertionFailure()
             << "expected \"" << needle << "\" on the screen after offset "
             << *at << "; screen: \"" << client.screen() << "\"";
    }
    *at = *end;
    return ::testing::AssertionSuccess();
  }

  static void ExpectTerminalRestored(const PtyProcess& client) {
    const termios settings = client.Settings();
    EXPECT_TRUE(settings.c_lflag & ECHO) << "ECHO left off";
    EXPECT_TRUE(settings.c_lflag & ICANON) << "ICANON left off";
    EXPECT_TRUE(settings.c_lflag & ISIG) << "ISIG left off";
  }

  static int ExitCode(PtyProcess& client) {
    const auto status = client.Wait();
    if (!status || !WIFEXITED(*status)) {
      ADD_FAILURE() << "client did not exit normally; screen: "
                    << client.screen();
      return -1;
    }
    return WEXITSTATUS(*status);
  }

  // Starts "Alice" with --user and a raw peer "Bob" joined after her.
  void StartAliceAndBob(bool color = false) {
    alice_ = Start({"--user", "Alice"}, color);
    ASSERT_TRUE(Saw(*alice_, "Alice> ", &at_));
    bob_ = ConnectAndJoin(server_->port(), "Bob");
    ASSERT_NE(bob_, nullptr);
    ASSERT_TRUE(Saw(*alice_, "Bob joined!", &at_));
    ASSERT_TRUE(Saw(*alice_, "Alice> ", &at_));
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<PtyProcess> alice_;
  std::unique_ptr<Connection> bob_;
  size_t at_ = 0;
};

TEST_F(InteractiveClientTest, HalfTypedLineIsRedrawnIntactBelowAMessage) {
  StartAliceAndBob();
  alice_->Type("hel");
  ASSERT_TRUE(Saw(*alice_, "hel", &at_));

  bob_->SendLine("MESG Alice hi there");
  EXPECT_EQ(bob_->ReadLine(), "OK MESG Alice");
  const size_t before_message = at_;
  ASSERT_TRUE(Saw(*alice_, "[private] Bob: hi there", &at_));
  // The prompt line was erased first (carriage return, erase below), so
  // the message starts at the left margin instead of after "hel".
  const std::string drawn =
      alice_->screen().substr(before_message, at_ - before_message);
  EXPECT_THAT(drawn, HasSubstr("\r\x1b[J[private] Bob: hi there"));
  // Below it: the prompt and the half line again, intact.
  ASSERT_TRUE(Saw(*alice_, "\nAlice> hel", &at_));

  alice_->Type("lo world\r");
  EXPECT_EQ(bob_->ReadLine(), "BCST Alice hello world");
  ASSERT_TRUE(Saw(*alice_, "Alice is sending a broadcast", &at_));
  ASSERT_TRUE(Saw(*alice_, "Alice: hello world", &at_));

  alice_->Type("\x04");  // Ctrl-D on the empty line
  EXPECT_EQ(bob_->ReadLine(), "LEFT Alice");
  EXPECT_EQ(ExitCode(*alice_), 0);
  ExpectTerminalRestored(*alice_);
}

TEST_F(InteractiveClientTest, NamePromptAsksAgainAfterATakenName) {
  auto bob = ConnectAndJoin(server_->port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = Start({});
  size_t at = 0;
  ASSERT_TRUE(Saw(*alice, kNamePrompt, &at));
  alice->Type("bob\r");
  ASSERT_TRUE(Saw(*alice, "Error: The username bob is taken", &at));
  ASSERT_TRUE(Saw(*alice, kNamePrompt, &at));
  alice->Type("JOIN Alice\r");
  ASSERT_TRUE(Saw(*alice, "Alice joined!", &at));
  ASSERT_TRUE(Saw(*alice, "Alice> ", &at));
  EXPECT_EQ(bob->ReadLine(), "JOINED Alice");
  alice->Type("/quit\r");
  EXPECT_EQ(bob->ReadLine(), "LEFT Alice");
  EXPECT_EQ(ExitCode(*alice), 0);
  ExpectTerminalRestored(*alice);
}

TEST_F(InteractiveClientTest, EditingKeysWork) {
  StartAliceAndBob();
  // One line at a time, as a person types: each is checked at the peer.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ac\x1b[Db\r", "abc"},  // Left arrow, insert
      {"orld\x01"
       "w\r",
       "world"},  // Ctrl-A
      {"ab\x01\x05"
       "c\r",
       "abc"},  // Ctrl-A, Ctrl-E
      {"junk\x15"
       "clean\r",
       "clean"},                             // Ctrl-U
      {"keep drop\x17this\r", "keep this"},  // Ctrl-W
      {"\x1b[A\r", "keep this"},             // Up: the previous line again
  };
  for (const auto& [keys, sent] : cases) {
    alice_->Type(keys);
    EXPECT_EQ(bob_->ReadLine(), "BCST Alice " + sent);
  }
  alice_->Type("\x04");
  EXPECT_EQ(ExitCode(*alice_), 0);
}

TEST_F(InteractiveClientTest, KeysThatWaitForMoreKeysDoNotHoldBackMessages) {
  StartAliceAndBob();
  alice_->Type("earlier line\r");
  EXPECT_EQ(bob_->ReadLine(), "BCST Alice earlier line");
  // Esc alone (the start of a key sequence to libedit), Ctrl-R (an
  // incremental search reading keys of its own) and M-x (a command line):
  // each once had the editor block the loop until more keys came.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\x1b", "after Esc"}, {"\x12", "after Ctrl-R"}, {"\x1bx", "after M-x"}};
  for (const auto& [keys, text] : cases) {
    alice_->Type("ear");
    ASSERT_TRUE(Saw(*alice_, "ear", &at_));
    alice_->Type(keys);
    bob_->SendLine("MESG Alice " + text);
    EXPECT_EQ(bob_->ReadLine(), "OK MESG Alice");
    ASSERT_TRUE(Saw(*alice_, "[private] Bob: " + text, &at_)) << text;
    ASSERT_TRUE(Saw(*alice_, "Alice> ", &at_)) << text;
    alice_->Type("\x15");  // Ctrl-U: a clean line for the next case
  }
  // Ctrl-R recalls the last line starting like the typed text.
  alice_->Type("ear\x12\r");
  EXPECT_EQ(bob_->ReadLine(), "BCST Alice earlier line");
  alice_->Type("\x04");
  EXPECT_EQ(ExitCode(*alice_), 0);
}

TEST_F(InteractiveClientTest, TabCompletesNamesAndCommandsNotFileNames) {
  StartAliceAndBob();  // Bob is known from his JOINED
  // A command at the line start; a name in any case (as the server
  // compares names), completed in its own spelling.
  alice_->Type("/ms\tb\thi\r");
  EXPECT_EQ(bob_->ReadLine(), "MESG Alice hi");
  // Nothing to complete: nothing happens (the files in the working
  // directory are not offered).
  alice_->Type("Mak\t!\r");
  EXPECT_EQ(bob_->ReadLine(), "BCST Alice Mak!");
  alice_->Type("\x04");
  EXPECT_EQ(ExitCode(*alice_), 0);
}

TEST_F(InteractiveClientTest, TabAtTheStartGivesThePrivateForm) {
  StartAliceAndBob();
  // "Bo<Tab>" becomes "Bob:", so what follows goes to Bob only.
  alice_->Type("Bo\tlunch?\r");
  EXPECT_EQ(bob_->ReadLine(), "MESG Alice lunch?");
  ASSERT_TRUE(Saw(*alice_, "[private] to Bob: lunch?", &at_));
  // A space before the colon to someone online is asked about, not sent;
  // Up and Enter send it to everyone after all.
  alice_->Type("Bob :tab\r");
  ASSERT_TRUE(Saw(*alice_, "Not sent", &at_));
  alice_->Type("\x1b[A\r");
  EXPECT_EQ(bob_->ReadLine(), "BCST Alice Bob :tab");
  alice_->Type("\x04");
  EXPECT_EQ(ExitCode(*alice_), 0);
}

TEST_F(InteractiveClientTest, CtrlCSendsQuitAndRestoresTheTerminal) {
  StartAliceAndBob();
  // While a line is edited the terminal is raw: the check below is real.
  alice_->Type("half");
  ASSERT_TRUE(Saw(*alice_, "half", &at_));
  EXPECT_FALSE(alice_->Settings().c_lflag & ICANON);
  alice_->Type("\x03");
  EXPECT_EQ(bob_->ReadLine(), "LEFT Alice");
  EXPECT_EQ(ExitCode(*alice_), 0);
  EXPECT_THAT(alice_->screen().substr(at_), HasSubstr("Disconnected."));
  ExpectTerminalRestored(*alice_);
}

TEST_F(InteractiveClientTest, SigtermSendsQuitAndRestoresTheTerminal) {
  StartAliceAndBob();
  alice_->Signal(SIGTERM);
  EXPECT_EQ(bob_->ReadLine(), "LEFT Alice");
  EXPECT_EQ(ExitCode(*alice_), 0);
  ExpectTerminalRestored(*alice_);
}

TEST_F(InteractiveClientTest, CrashRestoresTheTerminal) {
  StartAliceAndBob();
  EXPECT_FALSE(alice_->Settings().c_lflag & ICANON);
  alice_->Signal(SIGSEGV);
  const auto status = alice_->Wait();
  ASSERT_TRUE(status.has_value()) << "client did not die";
  // Killed by the signal, or (in a sanitizer build) reported and exited.
  EXPECT_FALSE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  ExpectTerminalRestored(*alice_);
}

TEST_F(InteractiveClientTest, CtrlZSuspendsWithTerminalBackAndKeepsTheLine) {
  StartAliceAndBob();
  alice_->Type("unfin");
  ASSERT_TRUE(Saw(*alice_, "unfin", &at_));
  alice_->Type("\x1a");  // Ctrl-Z
  ASSERT_TRUE(alice_->WaitStopped()) << "client did not stop";
  ExpectTerminalRestored(*alice_);  // the shell gets a sane terminal
  alice_->Signal(SIGCONT);          // "fg"
  ASSERT_TRUE(Saw(*alice_, "Alice> unfin", &at_));
  alice_->Type("ished\r");
  EXPECT_EQ(bob_->ReadLine(), "BCST Alice unfinished");
  alice_->Type("\x04");
  EXPECT_EQ(ExitCode(*alice_), 0);
}

TEST_F(InteractiveClientTest, ServerShutdownEndsTheSessionWithTerminalBack) {
  StartAliceAndBob();
  alice_->Type("unfinished");
  ASSERT_TRUE(Saw(*alice_, "unfinished", &at_));
  server_->process().Signal(SIGTERM);
  ASSERT_TRUE(Saw(
      *alice_, "The server closed the connection: Server shutting down", &at_));
  EXPECT_EQ(ExitCode(*alice_), 0);
  ExpectTerminalRestored(*alice_);
}

TEST_F(InteractiveClientTest, ColourOnATerminalUnlessNoColor) {
  StartAliceAndBob(/*color=*/true);
  bob_->SendLine("MESG Alice hi");
  ASSERT_TRUE(
      Saw(*alice_, "\x1b[35m[private]\x1b[0m \x1b[1mBob\x1b[0m: hi", &at_));
  alice_->Type("\x04");
  EXPECT_EQ(ExitCode(*alice_), 0);

  auto plain = Start({"--user", "Carol", "--no-color"}, /*color=*/true);
  size_t at = 0;
  ASSERT_TRUE(Saw(*plain, "Carol> ", &at));
  bob_->SendLine("MESG Carol hi");
  ASSERT_TRUE(Saw(*plain, "[private] Bob: hi", &at));
  plain->Type("\x04");
  EXPECT_EQ(ExitCode(*plain), 0);
}

TEST_F(InteractiveClientTest, HelpPrintsTheTableAboveThePrompt) {
  StartAliceAndBob();
  alice_->Type("/help\r");
  ASSERT_TRUE(Saw(*alice_, "/msg NAME TEXT", &at_));
  ASSERT_TRUE(Saw(*alice_, "Keys:", &at_));
  ASSERT_TRUE(Saw(*alice_, "Alice> ", &at_));
  alice_->Type("\x04");
  EXPECT_EQ(ExitCode(*alice_), 0);
}

}  // namespace
}  // namespace chat::test
