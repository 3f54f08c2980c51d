// Session without sockets: the password steps (hidden input, confirmation,
// --password-file, scripted lines), the account answers, OFFLINE lines,
// queued messages and /history paging.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/command_table.h"
#include "client/exit_code.h"
#include "client/recording_io.h"
#include "client/session.h"

namespace chat::client {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kSecret = "correct-horse";

class SessionAccountsTest : public ::testing::Test {
 protected:
  void Make(std::optional<std::string> user, bool interactive,
            bool login = false, bool register_account = false) {
    Session::Settings settings;
    settings.user = std::move(user);
    settings.interactive = interactive;
    settings.server = "localhost:8001";
    settings.login = login;
    settings.register_account = register_account;
    settings.clock = [] { return std::time_t{1000000000}; };
    session_.emplace(settings, renderer_, io_);
  }
  void Joined(const std::string& name, bool interactive = false) {
    Make(name, interactive);
    s().OnConnected();
    s().OnServerLine("OK JOIN " + name);
    io_.sent.clear();
    io_.shown.clear();
  }
  Session& s() { return *session_; }
  void ExpectNeverShown(std::string_view secret) {
    for (const std::string& line : io_.shown) {
      EXPECT_THAT(line, Not(HasSubstr(secret)));
    }
    EXPECT_THAT(io_.prompt, Not(HasSubstr(secret)));
  }

  Renderer renderer_{false};
  RecordingIo io_;
  std::optional<Session> session_;
};

TEST(AccountCommandsTest, TableKnowsTheAccountCommands) {
  EXPECT_EQ(ParseInput("/register").action, Action::kRegister);
  EXPECT_EQ(ParseInput("/register Alice").name, "Alice");
  EXPECT_EQ(ParseInput("/login Bob").action, Action::kLogin);
  EXPECT_EQ(ParseInput("/login Bob").name, "Bob");
  EXPECT_EQ(ParseInput("/login").action, Action::kUsage);
  EXPECT_EQ(ParseInput("/passwd").action, Action::kPasswd);
  EXPECT_EQ(ParseInput("/unregister").action, Action::kUnregister);
  EXPECT_EQ(ParseInput("/unregister now").action, Action::kUsage);
}

TEST_F(SessionAccountsTest, NameReservedAsksThePasswordHiddenAndLogsIn) {
  Make(std::nullopt, true);
  s().OnConnected();
  s().OnInputLine("Alice");
  s().OnServerLine(
      "ERR Name Reserved: log in with LOGIN <username> <password>");
  EXPECT_TRUE(io_.secret);
  EXPECT_EQ(io_.prompt, "Password for Alice: ");
  s().OnInputLine(kSecret);
  EXPECT_FALSE(io_.secret);
  EXPECT_THAT(io_.sent,
              ElementsAre("JOIN Alice", std::string("LOGIN Alice ") + kSecret));
  s().OnServerLine("OK LOGIN Alice");
  EXPECT_EQ(io_.prompt, "Alice> ");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("Logged in to the account Alice")));
  ExpectNeverShown(kSecret);
}

TEST_F(SessionAccountsTest, FailedLoginGoesBackToTheNamePrompt) {
  Make(std::nullopt, true, /*login=*/true);
  s().OnConnected();
  s().OnInputLine("Alice");
  s().OnInputLine("wrong-password");
  s().OnServerLine("ERR Login Failed");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("Login failed")));
  EXPECT_EQ(io_.prompt, kNamePrompt);
  EXPECT_FALSE(io_.secret);
}

TEST_F(SessionAccountsTest, RegisterAsksTwiceAndAgainWhenTheyDiffer) {
  Make("Alice", true, false, /*register_account=*/true);
  s().OnConnected();
  EXPECT_EQ(io_.prompt, "Choose a password for Alice: ");
  s().OnInputLine(kSecret);
  EXPECT_EQ(io_.prompt, "The same password again: ");
  s().OnInputLine("something-else");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("differ")));
  EXPECT_EQ(io_.prompt, "Choose a password for Alice: ");
  s().OnInputLine("short");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("8 to 128")));
  s().OnInputLine(kSecret);
  s().OnInputLine(kSecret);
  EXPECT_THAT(io_.sent, ElementsAre(std::string("REGISTER Alice ") + kSecret));
  ExpectNeverShown(kSecret);
}

TEST_F(SessionAccountsTest, PasswordFileLogsInAtOnce) {
  Make("Alice", false, /*login=*/true);
  s().SetFilePassword(kSecret);
  s().OnConnected();
  EXPECT_THAT(io_.sent, ElementsAre(std::string("LOGIN Alice ") + kSecret));
}

TEST_F(SessionAccountsTest, ScriptedReservedNameWithoutPasswordEnds) {
  Make("Alice", false);
  s().OnConnected();
  s().OnInputLine("hello");
  s().OnServerLine(
      "ERR Name Reserved: log in with LOGIN <username> <password>");
  EXPECT_EQ(io_.exit_code, kExitRejected);
  EXPECT_THAT(io_.sent, ElementsAre("JOIN Alice"));  // "hello" never sent
}

TEST_F(SessionAccountsTest, PasswdAndUnregisterReadScriptLines) {
  Joined("Alice");
  s().OnInputLine("/passwd");
  s().OnInputLine("old-password");
  s().OnInputLine("new-password");
  s().OnServerLine("OK PASSWORD");
  s().OnInputLine("/unregister");
  s().OnInputLine("new-password");
  s().OnServerLine("OK UNREGISTER Alice");
  EXPECT_THAT(io_.sent, ElementsAre("PASSWORD old-password new-password",
                                    "UNREGISTER new-password"));
  EXPECT_THAT(io_.shown, Contains("Password changed"));
  EXPECT_THAT(io_.shown, Contains(HasSubstr("Account Alice deleted")));
  ExpectNeverShown("password");
}

TEST_F(SessionAccountsTest, EmptyLineCancels) {
  Joined("Alice", true);
  s().OnInputLine("/unregister");
  EXPECT_TRUE(io_.secret);
  s().OnInputLine("");
  EXPECT_FALSE(io_.secret);
  EXPECT_EQ(io_.prompt, "Alice> ");
  EXPECT_THAT(io_.sent, IsEmpty());
}

TEST_F(SessionAccountsTest, WarnsBeforeAPasswordCrossesTheNetwork) {
  Session::Settings settings;
  settings.user = "Alice";
  settings.login = true;
  settings.password_exposed = true;
  settings.server = "chat.example:8001";
  session_.emplace(settings, renderer_, io_);
  s().OnConnected();
  ASSERT_THAT(io_.sent, IsEmpty());
  EXPECT_THAT(
      io_.shown,
      Contains(HasSubstr("the password will cross the network unencrypted")));
}

TEST_F(SessionAccountsTest, OfflineLinesShowTheirTimeOnce) {
  setenv("TZ", "UTC", 1);
  tzset();
  Joined("Alice");
  s().OnServerLine("OFFLINE 17 2001-09-09T01:30:00.000Z Bob hi");
  s().OnServerLine("OFFLINE 17 2001-09-09T01:30:00.000Z Bob hi");
  EXPECT_THAT(io_.shown,
              ElementsAre("[private, while you were away, 01:30] Bob: hi"));
}

TEST_F(SessionAccountsTest, QueuedMessageSaysWhenItWillArrive) {
  Joined("Alice");
  s().OnInputLine("Bob:see you");
  s().OnServerLine("OK MESG Bob queued");
  EXPECT_THAT(io_.shown,
              ElementsAre("[private] to Bob: see you",
                          "(Bob is away: queued, delivered when Bob logs in)"));
}

TEST_F(SessionAccountsTest, LoggedInElsewhereIsExplained) {
  Joined("Alice");
  s().OnServerLine("BYE Logged In Elsewhere");
  EXPECT_THAT(io_.shown,
              Contains(HasSubstr("logged in on another connection")));
  EXPECT_EQ(io_.exit_code, kExitOk);
}

TEST_F(SessionAccountsTest, HistoryPagesBackFromTheSmallestId) {
  setenv("TZ", "UTC", 1);
  tzset();
  Joined("Alice");
  s().OnInputLine("/history Bob");
  EXPECT_THAT(io_.sent, ElementsAre("HISTORY Bob 50"));
  s().OnServerLine("HISTORY 7 2001-09-08T10:00:00.000Z Bob Alice hello");
  s().OnServerLine("HISTORY 9 2001-09-08T10:01:00.000Z Alice Bob hi Bob");
  s().OnServerLine("OK HISTORY 2");
  EXPECT_THAT(io_.shown, Contains("[2001-09-08 10:00] [private] Bob: hello"));
  EXPECT_THAT(io_.shown,
              Contains("[2001-09-08 10:01] [private] to Bob: hi Bob"));
  s().OnInputLine("/history Bob");
  EXPECT_EQ(io_.sent.back(), "HISTORY Bob 50 7");
  s().OnServerLine("OK HISTORY 0");
  EXPECT_THAT(io_.shown, Contains("No older messages with bob on the server"));
}

TEST_F(SessionAccountsTest, HistoryWithoutADatabaseSaysSo) {
  Joined("Alice");
  s().OnInputLine("/history");
  EXPECT_THAT(io_.sent, ElementsAre("HISTORY * 50"));
  s().OnServerLine("ERR Unavailable: no database");
  EXPECT_THAT(io_.shown, Contains(HasSubstr("keeps no history")));
}

}  // namespace
}  // namespace chat::client
