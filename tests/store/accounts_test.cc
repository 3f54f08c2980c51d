// PROTOCOL.md "Accounts" against a real server with a database: REGISTER,
// LOGIN, PASSWORD, UNREGISTER, Name Reserved, the session move, the
// throttle, and accounts surviving a restart.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "store/store_fixture.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

using AccountsTest = StoreTest;

TEST_F(AccountsTest, AccountSurvivesRestartAndReservesItsName) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  ASSERT_NO_FATAL_FAILURE(Restart());
  auto impostor = Ask("JOIN alice",
                      "ERR Name Reserved: log in with LOGIN <username> "
                      "<password>");
  ASSERT_NE(impostor, nullptr);
  // The refused JOIN left nothing behind: the name is free for the login.
  auto alice = Login("ALICE", "Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*alice, "LIST Alice"));
}

TEST_F(AccountsTest, RegisterAnnouncesLikeJoin) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = Register("Alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_TRUE(NextLineIs(*bob, "JOINED Alice"));
  alice->SendLine("MESG Bob hi");
  EXPECT_TRUE(NextLineIs(*alice, "OK MESG Bob"));
  EXPECT_TRUE(NextLineIs(*bob, "MESG Alice hi"));
}

TEST_F(AccountsTest, RegisterErrors) {
  auto user = ConnectAndGreet(port());
  ASSERT_NE(user, nullptr);
  user->SendLine("REGISTER");
  EXPECT_TRUE(
      NextLineIs(*user, "ERR Bad Syntax: REGISTER <username> <password>"));
  user->SendLine("REGISTER Alice");
  EXPECT_TRUE(
      NextLineIs(*user, "ERR Bad Syntax: REGISTER <username> <password>"));
  user->SendLine("REGISTER Al-ice secret-pw");
  EXPECT_TRUE(NextLineIs(*user, "ERR Invalid Username: Al-ice"));
  user->SendLine("REGISTER Alice short");
  EXPECT_TRUE(
      NextLineIs(*user, "ERR Invalid Password: 8 to 128 bytes, no spaces"));
  user->SendLine("REGISTER Alice has spaces in it");
  EXPECT_TRUE(
      NextLineIs(*user, "ERR Invalid Password: 8 to 128 bytes, no spaces"));
  user->SendLine("REGISTER Alice " + std::string(129, 'x'));
  EXPECT_TRUE(
      NextLineIs(*user, "ERR Invalid Password: 8 to 128 bytes, no spaces"));

  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  user->SendLine("REGISTER bob secret-pw");
  EXPECT_TRUE(NextLineIs(*user, "ERR Username Taken: bob"));
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Carol"));
  user->SendLine("REGISTER carol secret-pw");
  EXPECT_TRUE(NextLineIs(*user, "ERR Username Taken: carol"));
  // Joined as Dave: another name is Already Registered.
  user->SendLine("JOIN Dave");
  EXPECT_TRUE(NextLineIs(*user, "OK JOIN Dave"));
  user->SendLine("REGISTER Erin secret-pw");
  EXPECT_TRUE(NextLineIs(*user, "ERR Already Registered: Dave"));
}

TEST_F(AccountsTest, RegisterAfterJoinMakesTheNameAnAccount) {
  auto dave = ConnectAndJoin(port(), "Dave");
  ASSERT_NE(dave, nullptr);
  dave->SendLine("REGISTER dave " + std::string(kPassword));
  EXPECT_TRUE(NextLineIs(*dave, "OK REGISTER Dave"));
  dave->SendLine("REGISTER Dave " + std::string(kPassword));
  EXPECT_TRUE(NextLineIs(*dave, "ERR Already Registered: Dave"));
  dave->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*dave, {"OK QUIT"}));
  ASSERT_TRUE(server_->WaitForLog("LEFT Dave"));
  auto impostor = ConnectAndGreet(port());
  impostor->SendLine("JOIN Dave");
  EXPECT_TRUE(NextLineIs(*impostor,
                         "ERR Name Reserved: log in with LOGIN "
                         "<username> <password>"));
  EXPECT_NE(Login("dave", "Dave"), nullptr);
}

TEST_F(AccountsTest, LoginFailsAlikeForUnknownNameAndWrongPassword) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto user = ConnectAndGreet(port());
  user->SendLine("LOGIN Alice wrong-password");
  EXPECT_TRUE(NextLineIs(*user, "ERR Login Failed"));
  user->SendLine("LOGIN Nobody " + std::string(kPassword));
  EXPECT_TRUE(NextLineIs(*user, "ERR Login Failed"));
  user->SendLine("LOGIN Al.ice " + std::string(kPassword));
  EXPECT_TRUE(NextLineIs(*user, "ERR Invalid Username: Al.ice"));
  user->SendLine("LOGIN Alice");
  EXPECT_TRUE(NextLineIs(*user, "ERR Bad Syntax: LOGIN <username> <password>"));
  // Still unregistered after all that.
  user->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*user,
                         "ERR Unregistered User: send JOIN <username> "
                         "first"));
  EXPECT_TRUE(server_->WaitForLog("LOGIN Alice refused: Login Failed"));
}

TEST_F(AccountsTest, FiveFailuresThrottleTheAccountWhateverThePassword) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto user = ConnectAndGreet(port());
  for (int i = 0; i < 5; ++i) {
    user->SendLine("LOGIN Alice wrong-password");
    ASSERT_TRUE(NextLineIs(*user, "ERR Login Failed")) << "attempt " << i;
  }
  user->SendLine("LOGIN Alice " + std::string(kPassword));
  auto line = user->ReadLine();
  ASSERT_TRUE(line);
  ASSERT_EQ(line->rfind("ERR Too Many Attempts: ", 0), 0u) << *line;
  int seconds = std::stoi(line->substr(23));
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 60);
  // Another connection is throttled too: the limit is the account's.
  auto other = ConnectAndGreet(port());
  other->SendLine("LOGIN alice " + std::string(kPassword));
  line = other->ReadLine();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->rfind("ERR Too Many Attempts: ", 0), 0u) << *line;
}

// Failures also count against the address they come from, where the
// per-address limits apply to it (PROTOCOL.md "Accounts"): over loopback
// only with --limit-loopback, and never for an --exempt one. Five failures
// for names without an account, then the right password for another.
TEST_F(AccountsTest, FailuresThrottleTheAddressWhereTheLimitsApply) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  struct Case {
    std::vector<std::string> args;
    bool throttled;
  };
  // The limited case first: the failures of each case stay in the
  // database, and would throttle its first attempts if it came later.
  const Case cases[] = {
      {{"--limit-loopback"}, true},
      {{}, false},
      {{"--limit-loopback", "--exempt", "127.0.0.1/32"}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.args));
    ASSERT_NO_FATAL_FAILURE(Restart(c.args));
    auto user = ConnectAndGreet(port());
    ASSERT_NE(user, nullptr);
    for (int i = 0; i < 5; ++i) {
      user->SendLine("LOGIN Nobody" + std::to_string(i) + " wrong-password");
      ASSERT_TRUE(NextLineIs(*user, "ERR Login Failed")) << "attempt " << i;
    }
    user->SendLine("LOGIN Alice " + std::string(kPassword));
    auto line = user->ReadLine();
    ASSERT_TRUE(line);
    if (c.throttled) {
      EXPECT_EQ(line->rfind("ERR Too Many Attempts: ", 0), 0u) << *line;
    } else {
      EXPECT_EQ(*line, "OK LOGIN Alice");
    }
  }
}

TEST_F(AccountsTest, LoginElsewhereMovesTheSession) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto first = Login("alice", "Alice");
  ASSERT_NE(first, nullptr);
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto second = Login("Alice", "Alice");
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(ClosedAfter(*first, {"JOINED Bob", "BYE Logged In Elsewhere"}));
  // The others see the old session leave before the new one arrives.
  EXPECT_TRUE(NextLinesAre(*bob, {"LEFT Alice", "JOINED Alice"}));
  second->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*second, "LIST Bob,Alice"));
  EXPECT_TRUE(server_->WaitForLog("reaped: exit 18 (logged in elsewhere)"));
}

TEST_F(AccountsTest, PasswordChange) {
  auto alice = Register("Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("PASSWORD wrong-password new-password");
  EXPECT_TRUE(NextLineIs(*alice, "ERR Login Failed"));
  alice->SendLine("PASSWORD " + std::string(kPassword) + " short");
  EXPECT_TRUE(
      NextLineIs(*alice, "ERR Invalid Password: 8 to 128 bytes, no spaces"));
  alice->SendLine("PASSWORD " + std::string(kPassword));
  EXPECT_TRUE(NextLineIs(*alice, "ERR Bad Syntax: PASSWORD <old> <new>"));
  alice->SendLine("PASSWORD " + std::string(kPassword) + " new-password");
  EXPECT_TRUE(NextLineIs(*alice, "OK PASSWORD"));
  alice->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*alice, {"OK QUIT"}));
  ASSERT_TRUE(server_->WaitForLog("LEFT Alice"));
  EXPECT_NE(Ask("LOGIN Alice " + std::string(kPassword), "ERR Login Failed"),
            nullptr);
  EXPECT_NE(Ask("LOGIN Alice new-password", "OK LOGIN Alice"), nullptr);
}

TEST_F(AccountsTest, UnregisterKeepsTheSessionAndFreesTheName) {
  auto alice = Register("Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("UNREGISTER wrong-password");
  EXPECT_TRUE(NextLineIs(*alice, "ERR Login Failed"));
  alice->SendLine("UNREGISTER " + std::string(kPassword));
  EXPECT_TRUE(NextLineIs(*alice, "OK UNREGISTER Alice"));
  alice->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*alice, "LIST Alice"));
  alice->SendLine("UNREGISTER " + std::string(kPassword));
  EXPECT_TRUE(NextLineIs(*alice, "ERR No Account"));
  alice->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*alice, {"OK QUIT"}));
  ASSERT_TRUE(server_->WaitForLog("LEFT Alice"));
  EXPECT_NE(ConnectAndJoin(port(), "Alice"), nullptr);
}

TEST_F(AccountsTest, AccountRequestsNeedTheirState) {
  auto user = ConnectAndGreet(port());
  user->SendLine("PASSWORD old-password new-password");
  EXPECT_TRUE(NextLineIs(*user,
                         "ERR Unregistered User: send JOIN <username> "
                         "first"));
  user->SendLine("UNREGISTER old-password");
  EXPECT_TRUE(NextLineIs(*user,
                         "ERR Unregistered User: send JOIN <username> "
                         "first"));
  user->SendLine("JOIN Carol");
  EXPECT_TRUE(NextLineIs(*user, "OK JOIN Carol"));
  user->SendLine("PASSWORD old-password new-password");
  EXPECT_TRUE(NextLineIs(*user, "ERR No Account"));
  user->SendLine("UNREGISTER old-password");
  EXPECT_TRUE(NextLineIs(*user, "ERR No Account"));
  user->SendLine("LOGIN Carol old-password");
  EXPECT_TRUE(NextLineIs(*user, "ERR Already Registered: Carol"));
}

TEST(EphemeralTest, StoredFeaturesAreUnavailableAndVersionOneWorks) {
  auto server = ServerProcess::Start({"--ephemeral"});
  ASSERT_NE(server, nullptr);
  const std::string unavailable =
      "ERR Unavailable: this server runs without a database (--ephemeral)";
  auto user = ConnectAndGreet(server->port());
  user->SendLine("REGISTER Alice secret-pw");
  EXPECT_TRUE(NextLineIs(*user, unavailable));
  user->SendLine("LOGIN Alice secret-pw");
  EXPECT_TRUE(NextLineIs(*user, unavailable));
  user->SendLine("JOIN Alice");
  EXPECT_TRUE(NextLineIs(*user, "OK JOIN Alice"));
  user->SendLine("PASSWORD secret-pw other-pw");
  EXPECT_TRUE(NextLineIs(*user, unavailable));
  user->SendLine("UNREGISTER secret-pw");
  EXPECT_TRUE(NextLineIs(*user, unavailable));
  user->SendLine("HISTORY *");
  EXPECT_TRUE(NextLineIs(*user, unavailable));
  user->SendLine("MESG Nobody hi");
  EXPECT_TRUE(NextLineIs(*user, "ERR Unknown Recipient: Nobody"));
}

TEST(DataDirTest, SecondServerOnTheSameDirectoryRefusesToStart) {
  std::string dir = MakeTempDir();
  {
    auto first = ServerProcess::Start({"--data-dir", dir});
    ASSERT_NE(first, nullptr);
    auto second =
        Subprocess::Start(ProgramPath("server"), {"0", "--data-dir", dir});
    auto error = second->WaitForStderr("in use");
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("the data directory " + dir +
                          " is in use by another chat-server"),
              std::string::npos)
        << *error;
    auto status = second->Wait();
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << *status;
  }
  RemoveTree(dir);
}

}  // namespace
}  // namespace chat::test
