// The audit log as stored, and the store's crash safety: kill -9 of the
// store under load (nothing committed lost, everyone keeps chatting, it is
// restarted), kill -9 of a worker in the middle of an account operation,
// a SIGKILLed worker's session closed in the log by the broker.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "server/server_children.h"
#include "store/database.h"
#include "store/store_fixture.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

using AuditTest = StoreTest;
using StoreCrashTest = StoreTest;

struct SessionRow {
  std::string peer, name, how;
  int64_t pid = 0, account = 0;
  bool registered = false, ended = false;
};

// The audit rows, oldest first, read the way chat-admin reads them: with a
// connection of the test's own while the server runs.
std::vector<SessionRow> Sessions(const std::string& db) {
  std::string error;
  auto database = store::Database::Open(db, false, &error);
  EXPECT_TRUE(database) << error;
  std::vector<SessionRow> rows;
  if (!database) return rows;
  auto statement = database->Prepare(
      "SELECT peer, coalesce(name, ''), coalesce(how, ''), pid, account, "
      "registered IS NOT NULL, ended IS NOT NULL FROM sessions ORDER BY id");
  while (statement.Step()) {
    rows.push_back({statement.Text(0), statement.Text(1), statement.Text(2),
                    statement.Int(3), statement.Int(4), statement.Int(5) != 0,
                    statement.Int(6) != 0});
  }
  return rows;
}

// Polls the database (bounded) until `done` holds for the rows.
template <typename Done>
std::vector<SessionRow> WaitForSessions(const std::string& db, Done done) {
  auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  std::vector<SessionRow> rows;
  do {
    rows = Sessions(db);
    if (done(rows)) return rows;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  ADD_FAILURE() << "the audit log did not get there in time";
  return rows;
}

TEST_F(AuditTest, SessionsAreRecordedWithHowTheyEnded) {
  auto quitter = ConnectAndJoin(port(), "Quitter");
  ASSERT_NE(quitter, nullptr);
  quitter->SendLine("QUIT");
  ASSERT_TRUE(ClosedAfter(*quitter, {"OK QUIT"}));
  auto closer = Register("Closer");
  ASSERT_NE(closer, nullptr);
  closer->Close();
  auto victim = ConnectAndJoin(port(), "Victim");
  ASSERT_NE(victim, nullptr);
  auto workers = WorkersOf(server_->pid());
  ASSERT_EQ(workers.size(), 1u);
  kill(workers[0], SIGKILL);
  auto failed = ConnectAndGreet(port());
  failed->SendLine("LOGIN Closer wrong-password");
  ASSERT_TRUE(NextLineIs(*failed, "ERR Login Failed"));

  auto rows = WaitForSessions(db(), [](const std::vector<SessionRow>& rows) {
    return rows.size() == 4 && rows[0].ended && rows[1].ended && rows[2].ended;
  });
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].name, "Quitter");
  EXPECT_EQ(rows[0].how, "quit");
  EXPECT_EQ(rows[0].account, 0);
  EXPECT_EQ(rows[1].name, "Closer");
  EXPECT_EQ(rows[1].how, "closed");
  EXPECT_EQ(rows[1].account, 1);
  EXPECT_EQ(rows[2].name, "Victim");
  EXPECT_EQ(rows[2].how, "crashed with signal 9");
  EXPECT_EQ(rows[2].pid, workers[0]);
  EXPECT_FALSE(rows[3].registered);
  EXPECT_FALSE(rows[3].ended);
  for (const auto& row : rows) {
    EXPECT_EQ(row.peer.rfind("127.0.0.1:", 0), 0u) << row.peer;
  }
  // The failed login is recorded (after its answer: nobody waits on it).
  std::string error;
  auto database = store::Database::Open(db(), false, &error);
  ASSERT_TRUE(database) << error;
  auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  for (;;) {
    auto failure =
        database->Prepare("SELECT name, address FROM login_failures");
    if (failure.Step()) {
      EXPECT_EQ(failure.Text(0), "Closer");
      EXPECT_EQ(failure.Text(1), "127.0.0.1");
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "no failed login recorded";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TEST_F(AuditTest, ShutdownAndRestartCloseEverySession) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  ASSERT_NO_FATAL_FAILURE(Restart());
  auto rows = Sessions(db());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].how, "server shutting down");
  EXPECT_TRUE(rows[0].ended);
}

TEST_F(StoreCrashTest, KilledStoreLosesNothingCommittedAndIsRestarted) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto bob = ConnectAndJoin(port(), "Bob");
  auto carol = ConnectAndJoin(port(), "Carol");
  ASSERT_NE(bob, nullptr);
  ASSERT_NE(carol, nullptr);
  ASSERT_TRUE(bob->SkipUntil("JOINED Carol"));
  pid_t store = StoreOf(server_->pid());
  ASSERT_GT(store, 0);
  // Some committed before...
  int queued = 0;
  for (int i = 0; i < 10; ++i) {
    bob->SendLine("MESG Alice before" + std::to_string(i));
    ASSERT_TRUE(NextLineIs(*bob, "OK MESG Alice queued"));
    ++queued;
  }
  // ...and some in flight while it dies: each gets an answer, queued or
  // not.
  const int kInFlight = 40;
  for (int i = 0; i < kInFlight; ++i) {
    bob->SendLine("MESG Alice m" + std::to_string(i));
    if (i == kInFlight / 2) kill(store, SIGKILL);
  }
  for (int i = 0; i < kInFlight; ++i) {
    auto line = bob->ReadLine();
    ASSERT_TRUE(line) << "no answer to MESG " << i;
    if (*line == "OK MESG Alice queued") {
      ++queued;
    } else {
      EXPECT_EQ(line->rfind("ERR Unavailable: the database", 0), 0u) << *line;
    }
  }
  EXPECT_TRUE(server_->WaitForLog("store pid " + std::to_string(store) +
                                  " ended: killed by signal 9"));
  // The others chat on, and a new store serves.
  carol->SendLine("BCST still here");
  EXPECT_TRUE(NextLineIs(*carol, "OK BCST 1"));
  EXPECT_TRUE(NextLineIs(*bob, "BCST Carol still here"));
  pid_t restarted = -1;
  auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    restarted = StoreOf(server_->pid());
    if (restarted > 0 && restarted != store) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(restarted, 0);
  EXPECT_NE(restarted, store);
  bob->SendLine("MESG Alice after");
  EXPECT_TRUE(NextLineIs(*bob, "OK MESG Alice queued"));
  // Every message answered "queued" is there, once, in order.
  auto alice = Login("Alice", "Alice");
  ASSERT_NE(alice, nullptr);
  int delivered = 0;
  std::string last;
  for (;;) {
    auto line = alice->ReadLine(std::chrono::milliseconds(500));
    if (!line) break;
    ASSERT_EQ(line->rfind("OFFLINE ", 0), 0u) << *line;
    last = *line;
    ++delivered;
  }
  EXPECT_EQ(delivered, queued + 1);
  EXPECT_NE(last.find(" Bob after"), std::string::npos) << last;
}

TEST_F(StoreCrashTest, WorkerKilledDuringRegisterLeavesAConsistentState) {
  auto user = ConnectAndGreet(port());
  ASSERT_NE(user, nullptr);
  auto workers = WorkersOf(server_->pid());
  ASSERT_EQ(workers.size(), 1u);
  // Killed while it hashes (tens of milliseconds) or right after.
  user->SendLine("REGISTER Alice " + std::string(kPassword));
  kill(workers[0], SIGKILL);
  ASSERT_TRUE(user->WaitClosed());
  ASSERT_TRUE(WaitForPidGone(workers[0]));
  // Either the account exists (and only LOGIN takes the name) or it does
  // not (and JOIN does); never a half state, never a stuck name.
  auto probe = ConnectAndGreet(port());
  probe->SendLine("JOIN Alice");
  auto line = probe->ReadLine();
  ASSERT_TRUE(line);
  if (*line == "OK JOIN Alice") {
    SUCCEED() << "killed before the account was stored";
  } else {
    EXPECT_EQ(*line,
              "ERR Name Reserved: log in with LOGIN <username> <password>");
    EXPECT_NE(Login("Alice", "Alice"), nullptr);
  }
  std::string error;
  auto database = store::Database::Open(db(), false, &error);
  ASSERT_TRUE(database) << error;
  auto check = database->Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.Step());
  EXPECT_EQ(check.Text(0), "ok");
}

}  // namespace
}  // namespace chat::test
