// chat-admin delete and reset-password against a real server's database,
// while the server runs (and once while it is stopped): what the clients
// then see over the socket, and what is left in the database.
#include <gtest/gtest.h>
#include <termios.h>

#include "admin/admin_fixture.h"
#include "store/database.h"
#include "support/pty_process.h"

namespace chat::test {
namespace {

using ChangeTest = AdminTest;

// The one number `sql` selects from the test's database, opened and closed
// here (no handle is kept while chat-admin processes are forked).
int64_t Count(const std::string& db_path, const std::string& sql) {
  std::string error;
  auto db = store::Database::Open(db_path, false, &error);
  EXPECT_TRUE(db.has_value()) << error;
  if (!db) return -1;
  store::Statement statement = db->Prepare(sql);
  return statement.Step() ? statement.Int(0) : -1;
}

// Polls Count until it is `expected` (history rows are written a little
// after the chat lines go out); the last count.
int64_t CountBecomes(const std::string& db_path, const std::string& sql,
                     int64_t expected) {
  const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  int64_t count = -1;
  for (int attempt = 0; attempt < 500; ++attempt) {
    count = Count(db_path, sql);
    if (count == expected || std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return count;
}

constexpr char kPrivateRows[] =
    "SELECT count(*) FROM messages WHERE (sender_key = 'alice' OR "
    "recipient_key = 'alice') AND recipient_key != '*'";

TEST_F(ChangeTest, DeleteTakesAccountMailboxAndPrivateHistory) {
  auto carol = ConnectAndJoin(port(), "Carol");
  ASSERT_NE(carol, nullptr);
  auto alice = Register("Alice");
  ASSERT_NE(alice, nullptr);
  ASSERT_TRUE(NextLineIs(*carol, "JOINED Alice"));
  alice->SendLine("BCST hello all");
  ASSERT_TRUE(NextLineIs(*alice, "OK BCST 1"));
  ASSERT_TRUE(NextLineIs(*carol, "BCST Alice hello all"));
  alice->SendLine("MESG Carol hi Carol");
  ASSERT_TRUE(NextLineIs(*alice, "OK MESG Carol"));
  ASSERT_TRUE(NextLineIs(*carol, "MESG Alice hi Carol"));
  alice->SendLine("QUIT");
  ASSERT_TRUE(ClosedAfter(*alice, {"OK QUIT"}));
  ASSERT_TRUE(NextLineIs(*carol, "LEFT Alice"));
  carol->SendLine("MESG alice are you there");
  ASSERT_TRUE(NextLineIs(*carol, "OK MESG Alice queued"));
  ASSERT_EQ(Count(db(), "SELECT count(*) FROM mailbox"), 1);
  ASSERT_EQ(CountBecomes(db(), kPrivateRows, 2), 2);
  ASSERT_EQ(CountBecomes(db(),
                         "SELECT count(*) FROM messages WHERE "
                         "recipient_key = '*'",
                         1),
            1);

  AdminRun deleted = Admin({"delete", "ALICE"});
  EXPECT_EQ(deleted.status, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "deleted account Alice (1 waiting message)\n");
  EXPECT_EQ(deleted.err, "");

  EXPECT_EQ(Count(db(), "SELECT count(*) FROM accounts"), 0);
  EXPECT_EQ(Count(db(), "SELECT count(*) FROM mailbox"), 0);
  EXPECT_EQ(Count(db(), kPrivateRows), 0);
  // Broadcasts are everyone's history: they stay.
  EXPECT_EQ(Count(db(),
                  "SELECT count(*) FROM messages WHERE recipient_key "
                  "= '*' AND sender_key = 'alice'"),
            1);
  // The audit log keeps its sessions.
  EXPECT_EQ(Count(db(), "SELECT count(*) FROM sessions WHERE name = 'Alice'"),
            1);

  // The name is free: anyone may JOIN it; a message to it is refused.
  carol->SendLine("MESG Alice again");
  EXPECT_TRUE(NextLineIs(*carol, "ERR Unknown Recipient: Alice"));
  auto someone = Ask("JOIN Alice", "OK JOIN Alice");
  ASSERT_NE(someone, nullptr);
  EXPECT_TRUE(NextLineIs(*carol, "JOINED Alice"));
  someone->SendLine("QUIT");
  ASSERT_TRUE(ClosedAfter(*someone, {"OK QUIT"}));
  // A new account of that name starts with an empty mailbox.
  auto again = Register("Alice");
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(NothingPending(*again));

  AdminRun missing = Admin({"delete", "Dave"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "chat-admin: delete: no such account: Dave\n");
}

TEST_F(ChangeTest, ResetPasswordFromStandardInput) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  AdminRun reset = Admin({"reset-password", "alice"}, "new-secret-42\n");
  EXPECT_EQ(reset.status, 0) << reset.err;
  EXPECT_EQ(reset.out, "password of Alice changed\n");
  EXPECT_EQ(reset.err, "");

  auto old = Ask("LOGIN Alice " + std::string(kPassword), "ERR Login Failed");
  ASSERT_NE(old, nullptr);
  auto fresh = Ask("LOGIN Alice new-secret-42", "OK LOGIN Alice");
  ASSERT_NE(fresh, nullptr);
  // The server's own cost (19 MiB, 2 passes, 1 lane), so no rehash either.
  EXPECT_EQ(Count(db(),
                  "SELECT count(*) FROM accounts WHERE hash LIKE "
                  "'$argon2id$v=19$m=19456,t=2,p=1$%'"),
            1);
  EXPECT_EQ(Count(db(),
                  "SELECT count(*) FROM accounts WHERE hash LIKE "
                  "'%new-secret%'"),
            0);
}

TEST_F(ChangeTest, ResetPasswordRefusesBadInputAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  const std::string invalid =
      "chat-admin: reset-password: invalid password: 8 to 128 bytes of "
      "UTF-8, no spaces or control characters\n";
  for (const std::string& input :
       {std::string("short\n"), std::string("has a space\n"),
        std::string(129, 'x') + "\n", std::string("tab\there-xx\n"),
        std::string("\xff\xfe-not-utf8\n")}) {
    AdminRun run = Admin({"reset-password", "Alice"}, input);
    EXPECT_EQ(run.status, 1) << input;
    EXPECT_EQ(run.err, invalid) << input;
    EXPECT_EQ(run.out, "");
  }
  AdminRun empty = Admin({"reset-password", "Alice"}, "");
  EXPECT_EQ(empty.status, 1);
  EXPECT_EQ(empty.err,
            "chat-admin: reset-password: no password on standard input\n");
  AdminRun nobody = Admin({"reset-password", "Dave"}, "new-secret-42\n");
  EXPECT_EQ(nobody.status, 1);
  EXPECT_EQ(nobody.err, "chat-admin: reset-password: no such account: Dave\n");

  auto alice = Login("Alice", "Alice");  // the old password still works
  ASSERT_NE(alice, nullptr);
}

TEST_F(ChangeTest, ResetPasswordOnATerminalWithoutEcho) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto admin =
      PtyProcess::Start(ProgramPath("chat-admin"),
                        {"--data-dir", dir(), "reset-password", "Alice"}, {});
  auto at = admin->WaitFor("New password: ");
  ASSERT_TRUE(at.has_value()) << admin->screen();
  EXPECT_FALSE(admin->Settings().c_lflag & ECHO);
  ASSERT_TRUE(admin->Type("typed-secret-7\n"));
  at = admin->WaitFor("Retype new password: ", *at);
  ASSERT_TRUE(at.has_value()) << admin->screen();
  ASSERT_TRUE(admin->Type("typed-secret-7\n"));
  ASSERT_TRUE(admin->WaitFor("password of Alice changed", *at).has_value())
      << admin->screen();
  auto status = admin->Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_EQ(admin->screen().find("typed-secret"), std::string::npos)
      << admin->screen();
  EXPECT_TRUE(admin->Settings().c_lflag & ECHO);  // given back

  auto alice = Ask("LOGIN Alice typed-secret-7", "OK LOGIN Alice");
  ASSERT_NE(alice, nullptr);
}

TEST_F(ChangeTest, ResetPasswordOnATerminalRefusesTwoDifferentEntries) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto admin =
      PtyProcess::Start(ProgramPath("chat-admin"),
                        {"--data-dir", dir(), "reset-password", "Alice"}, {});
  auto at = admin->WaitFor("New password: ");
  ASSERT_TRUE(at.has_value()) << admin->screen();
  ASSERT_TRUE(admin->Type("typed-secret-7\n"));
  at = admin->WaitFor("Retype new password: ", *at);
  ASSERT_TRUE(at.has_value()) << admin->screen();
  ASSERT_TRUE(admin->Type("typed-secret-8\n"));
  ASSERT_TRUE(admin->WaitFor("the two passwords differ", *at).has_value())
      << admin->screen();
  auto status = admin->Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_TRUE(admin->Settings().c_lflag & ECHO);
  auto alice = Login("Alice", "Alice");
  ASSERT_NE(alice, nullptr);
}

TEST_F(ChangeTest, InterruptedOnATerminalGivesEchoBack) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto admin =
      PtyProcess::Start(ProgramPath("chat-admin"),
                        {"--data-dir", dir(), "reset-password", "Alice"}, {});
  ASSERT_TRUE(admin->WaitFor("New password: ").has_value()) << admin->screen();
  ASSERT_FALSE(admin->Settings().c_lflag & ECHO);
  ASSERT_TRUE(admin->Type("\x03"));  // Ctrl-C
  auto status = admin->Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGINT);
  EXPECT_TRUE(admin->Settings().c_lflag & ECHO);
}

TEST_F(ChangeTest, WorksWhileTheServerIsStopped) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Bob"));
  server_->process().Signal(SIGTERM);
  ASSERT_EQ(server_->process().Wait(), 0);
  server_.reset();

  AdminRun listed = Admin({"accounts"});
  EXPECT_EQ(listed.status, 0) << listed.err;
  EXPECT_EQ(Lines(listed.out).size(), 3u) << listed.out;
  EXPECT_EQ(Admin({"delete", "bob"}).status, 0);
  EXPECT_EQ(Admin({"reset-password", "alice"}, "offline-secret\n").status, 0);

  ASSERT_NO_FATAL_FAILURE(Start());
  auto bob = Ask("JOIN Bob", "OK JOIN Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = Ask("LOGIN Alice offline-secret", "OK LOGIN Alice");
  ASSERT_NE(alice, nullptr);
}

}  // namespace
}  // namespace chat::test
