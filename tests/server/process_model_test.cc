// The process model: one worker process per connection; a worker killed or
// hung hurts nobody else; the broker's death or shutdown leaves no worker
// and no shared memory behind; the status log tells what happened.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/server_children.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/subprocess.h"
#include "support/tracer.h"

namespace chat::test {
namespace {

// The one pid in `after` that is not in `before`; -1 if not exactly one.
pid_t NewChild(std::vector<pid_t> before, std::vector<pid_t> after) {
  std::vector<pid_t> added;
  std::sort(before.begin(), before.end());
  for (pid_t pid : after) {
    if (!std::binary_search(before.begin(), before.end(), pid)) {
      added.push_back(pid);
    }
  }
  return added.size() == 1 ? added[0] : -1;
}

// Connects and joins as `name`; *worker gets the pid of its worker.
std::unique_ptr<Connection> JoinAndFindWorker(ServerProcess& server,
                                              const std::string& name,
                                              pid_t* worker) {
  auto before = WorkersOf(server.pid());
  auto connection = ConnectAndJoin(server.port(), name);
  *worker = NewChild(before, WorkersOf(server.pid()));
  return connection;
}

std::vector<std::string> ShmObjectsOf(pid_t server) {
  std::vector<std::string> mine;
  std::string prefix = "chat-server." + std::to_string(server) + ".";
  for (const auto& name : ChatShmObjects()) {
    if (name.rfind(prefix, 0) == 0) mine.push_back(name);
  }
  return mine;
}

TEST(ProcessModelTest, EachConnectionHasItsOwnWorkerProcess) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(WorkersOf(server->pid()).empty());
  std::vector<std::unique_ptr<Connection>> clients;
  std::vector<pid_t> workers;
  for (int i = 1; i <= 3; ++i) {
    auto before = WorkersOf(server->pid());
    clients.push_back(ConnectAndGreet(server->port()));
    ASSERT_NE(clients.back(), nullptr);
    auto after = WorkersOf(server->pid());
    EXPECT_EQ(after.size(), static_cast<size_t>(i));
    pid_t worker = NewChild(before, after);
    ASSERT_GT(worker, 0) << "no single new child after connection " << i;
    workers.push_back(worker);
  }
  EXPECT_NE(workers[0], workers[1]);
  EXPECT_NE(workers[1], workers[2]);

  clients[1]->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*clients[1], {"OK QUIT"}));
  EXPECT_TRUE(WaitForPidGone(workers[1]));
  EXPECT_TRUE(server->WaitForLog("pid " + std::to_string(workers[1]) +
                                 ": reaped: exit 0 (quit)"));
  EXPECT_EQ(WorkersOf(server->pid()).size(), 2u);
}

TEST(ProcessModelTest, KilledSpawnerIsRestartedAndSessionsGoOn) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  pid_t alice_worker;
  auto alice = JoinAndFindWorker(*server, "Alice", &alice_worker);
  ASSERT_TRUE(alice);
  pid_t spawner = SpawnerOf(server->pid());
  ASSERT_GT(spawner, 0);
  ASSERT_NE(spawner, alice_worker);
  ASSERT_EQ(kill(spawner, SIGKILL), 0);
  EXPECT_TRUE(server->WaitForLog("error: spawner pid " +
                                 std::to_string(spawner) +
                                 " ended: killed by signal 9"));
  EXPECT_TRUE(server->WaitForLog("spawner started, pid"));

  // Alice's session is the broker's child, not the spawner's: untouched.
  pid_t bob_worker;
  auto bob = JoinAndFindWorker(*server, "Bob", &bob_worker);
  ASSERT_TRUE(bob);
  EXPECT_GT(bob_worker, 0) << "no single new worker for Bob";
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  bob->SendLine("MESG Alice hi");
  EXPECT_TRUE(NextLineIs(*bob, "OK MESG Alice"));
  EXPECT_TRUE(NextLineIs(*alice, "MESG Bob hi"));
}

// Alice, Bob and Carol, joined in that order, with the JOINED lines Alice
// got read; Bob's worker is the one the tests stop or kill.
struct ThreeUsers {
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Connection> alice, bob, carol;
  pid_t bob_worker = -1;
};

void StartThreeUsers(ThreeUsers* users) {
  users->server = ServerProcess::Start();
  ASSERT_NE(users->server, nullptr);
  pid_t alice_worker, carol_worker;
  users->alice = JoinAndFindWorker(*users->server, "Alice", &alice_worker);
  users->bob = JoinAndFindWorker(*users->server, "Bob", &users->bob_worker);
  users->carol = JoinAndFindWorker(*users->server, "Carol", &carol_worker);
  ASSERT_TRUE(users->alice && users->bob && users->carol);
  ASSERT_GT(users->bob_worker, 0);
  EXPECT_TRUE(NextLinesAre(*users->alice, {"JOINED Bob", "JOINED Carol"}));
}

TEST(ProcessModelTest, KilledWorkerIsAnnouncedAsLeftAndOthersCarryOn) {
  ThreeUsers users;
  ASSERT_NO_FATAL_FAILURE(StartThreeUsers(&users));
  auto& [server, alice, bob, carol, bob_worker] = users;
  EXPECT_TRUE(NextLinesAre(*bob, {"JOINED Carol"}));

  ASSERT_EQ(kill(bob_worker, SIGKILL), 0);
  EXPECT_TRUE(NextLineIs(*alice, "LEFT Bob"));
  EXPECT_TRUE(NextLineIs(*carol, "LEFT Bob"));
  EXPECT_TRUE(ClosedAfter(*bob, {}));
  std::string subject = "pid " + std::to_string(bob_worker) + ": ";
  EXPECT_TRUE(server->WaitForLog(subject + "LEFT Bob (crashed with signal 9)"));
  // A worker killed by a signal is reported at error level (kept by -q).
  EXPECT_TRUE(server->WaitForLog(
      subject + "error: reaped: killed by signal 9 (SIGKILL)"));

  // The name is free again, and everyone else chats on.
  auto new_bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_NE(new_bob, nullptr);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  EXPECT_TRUE(NextLineIs(*carol, "JOINED Bob"));
  alice->SendLine("MESG carol still here?");
  EXPECT_TRUE(NextLineIs(*alice, "OK MESG Carol"));
  EXPECT_TRUE(NextLineIs(*carol, "MESG Alice still here?"));
  carol->SendLine("BCST yes");
  EXPECT_TRUE(NextLineIs(*carol, "OK BCST 2"));
  EXPECT_TRUE(NextLineIs(*alice, "BCST Carol yes"));
  EXPECT_TRUE(NextLineIs(*new_bob, "BCST Carol yes"));
  carol->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*carol, "LIST Alice,Carol,Bob"));
}

// The registry's robust mutex, end to end: a worker (started by the spawner
// with a raw clone, not fork) is stopped while it holds the lock in the
// middle of a JOIN and then SIGKILLed. The next locker must recover the lock
// and repair the table, and the server must go on as if nothing happened.
// The test traces the worker (support/tracer.h) and stops it at the
// registry's "join:indexed" trace point, where the lock is held.
TEST(ProcessModelTest, WorkerKilledHoldingTheRegistryLockWedgesNothing) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);

  auto before = WorkersOf(server->pid());
  auto victim = Connection::Open(server->port());
  ASSERT_NE(victim, nullptr);
  ASSERT_TRUE(victim->ReadLine().has_value());  // HELLO
  pid_t victim_worker = NewChild(before, WorkersOf(server->pid()));
  ASSERT_GT(victim_worker, 0);
  std::string error;
  auto tracer = Tracer::Attach(victim_worker, &error);
  if (!tracer) GTEST_SKIP() << "cannot trace the worker: " << error;
  ASSERT_TRUE(tracer->RunToTracePoint("join:indexed", kEventTimeout, [&] {
    victim->SendLine("JOIN Victim");
  })) << "the worker did not stop inside the registry update";
  ASSERT_TRUE(tracer->Kill(kEventTimeout));
  EXPECT_TRUE(ClosedAfter(*victim, {}));
  // The name was in the registry when the worker died; the broker clears it
  // when it reaps the worker, which takes the dead worker's lock.
  EXPECT_TRUE(server->WaitForLog("LEFT Victim (crashed with signal 9)"));

  // Everything below takes the lock again and reads the repaired table.
  auto alice = ConnectAndJoin(server->port(), "Alice");
  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  bob->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*bob, "LIST Alice,Bob"));
  alice->SendLine("MESG bob hello");
  EXPECT_TRUE(NextLineIs(*bob, "MESG Alice hello"));
  auto victim_again = ConnectAndJoin(server->port(), "Victim");
  EXPECT_NE(victim_again, nullptr) << "the dead worker's name stayed taken";
}

TEST(ProcessModelTest, HungWorkerDoesNotStopOthersChatting) {
  ThreeUsers users;
  ASSERT_NO_FATAL_FAILURE(StartThreeUsers(&users));
  auto& [server, alice, bob, carol, bob_worker] = users;

  ASSERT_EQ(kill(bob_worker, SIGSTOP), 0);
  ASSERT_TRUE(WaitForStopped(bob_worker));
  for (int i = 0; i < 100; ++i) {
    std::string text = "round " + std::to_string(i);
    alice->SendLine("BCST " + text);
    EXPECT_TRUE(NextLineIs(*alice, "OK BCST 2"));
    EXPECT_TRUE(NextLineIs(*carol, "BCST Alice " + text));
    carol->SendLine("MESG Alice " + text);
    EXPECT_TRUE(NextLineIs(*carol, "OK MESG Alice"));
    EXPECT_TRUE(NextLineIs(*alice, "MESG Carol " + text));
  }
  // Even the hung user's registry entry answers: LIST does not wait on it.
  alice->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*alice, "LIST Alice,Bob,Carol"));

  // Killing the stopped worker ends it like any crash.
  ASSERT_EQ(kill(bob_worker, SIGKILL), 0);
  EXPECT_TRUE(NextLineIs(*alice, "LEFT Bob"));
  EXPECT_TRUE(NextLineIs(*carol, "LEFT Bob"));
}

// A worker that never drains its channel is killed once the broker holds
// more than --send-queue + 1 MiB for it, instead of the broker's memory
// growing.
TEST(ProcessModelTest, HungWorkerIsKilledWhenItsQueueOverflows) {
  auto server = ServerProcess::Start({"--send-queue", "8192"});
  ASSERT_NE(server, nullptr);
  pid_t alice_worker, bob_worker;
  auto alice = JoinAndFindWorker(*server, "Alice", &alice_worker);
  auto bob = JoinAndFindWorker(*server, "Bob", &bob_worker);
  ASSERT_TRUE(alice && bob);
  ASSERT_GT(bob_worker, 0);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  ASSERT_EQ(kill(bob_worker, SIGSTOP), 0);
  ASSERT_TRUE(WaitForStopped(bob_worker));

  const std::string filler(1000, 'x');
  bool left = false;
  // About 1 MiB of broadcasts; the bound only stops a broken server.
  for (int i = 0; i < 5000 && !left; ++i) {
    ASSERT_TRUE(alice->SendLine("BCST " + filler));
    auto line = alice->ReadLine();
    ASSERT_TRUE(line) << "no answer to broadcast " << i;
    if (*line == "LEFT Bob") {
      left = true;
    } else {
      // 0 once Bob is killed and not yet reaped: he is counted no more.
      ASSERT_TRUE(*line == "OK BCST 1" || *line == "OK BCST 0") << *line;
    }
  }
  ASSERT_TRUE(left) << "the hung worker was never dropped";
  EXPECT_TRUE(WaitForPidGone(bob_worker));
  std::string subject = "pid " + std::to_string(bob_worker) + ": ";
  EXPECT_TRUE(server->WaitForLog(subject + "error: not reading its channel"));
  EXPECT_TRUE(server->WaitForLog(subject + "LEFT Bob (killed: not reading"));
  alice->SendLine("LIST");
  EXPECT_TRUE(alice->SkipUntil("LIST Alice"));
}

// A server with two registered users and one that never joined, and the
// processes that serve them: what the broker's end must take down.
struct ServerWithClients {
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Connection> alice, bob, lurker;
  std::vector<pid_t> workers;
  pid_t broker = -1;
  pid_t spawner = -1;

  std::vector<Connection*> clients() const {
    return {alice.get(), bob.get(), lurker.get()};
  }
};

void StartServerWithClients(ServerWithClients* s) {
  s->server = ServerProcess::Start();
  ASSERT_NE(s->server, nullptr);
  s->alice = ConnectAndJoin(s->server->port(), "Alice");
  s->bob = ConnectAndJoin(s->server->port(), "Bob");
  s->lurker = ConnectAndGreet(s->server->port());
  ASSERT_TRUE(s->alice && s->bob && s->lurker);
  EXPECT_TRUE(NextLineIs(*s->alice, "JOINED Bob"));
  s->workers = WorkersOf(s->server->pid());
  ASSERT_EQ(s->workers.size(), 3u);
  s->broker = s->server->pid();
  s->spawner = SpawnerOf(s->broker);
  ASSERT_GT(s->spawner, 0);
}

// Every worker and the spawner are gone, and so is the shared memory.
void ExpectNothingLeft(const ServerWithClients& s) {
  for (pid_t worker : s.workers) {
    EXPECT_TRUE(WaitForPidGone(worker)) << "worker " << worker << " survived";
  }
  EXPECT_TRUE(WaitForPidGone(s.spawner)) << "the spawner survived";
  EXPECT_TRUE(ShmObjectsOf(s.broker).empty());
}

TEST(ProcessModelTest, KilledBrokerClosesEveryConnectionAndLeavesNoWorker) {
  ServerWithClients s;
  ASSERT_NO_FATAL_FAILURE(StartServerWithClients(&s));
  auto& server = s.server;

  server->process().Signal(SIGKILL);
  auto status = server->process().Wait();
  ASSERT_TRUE(status && WIFSIGNALED(*status));

  for (Connection* client : s.clients()) {
    std::vector<std::string> lines;
    EXPECT_TRUE(client->WaitClosed(&lines)) << "a connection stayed open";
    // The worker says BYE if it gets the chance; nothing else may come.
    EXPECT_TRUE(lines.empty() ||
                lines == std::vector<std::string>{"BYE Server shutting down"})
        << "got " << lines.size() << " lines, first: " << lines.front();
  }
  ExpectNothingLeft(s);
}

void ExpectCleanShutdown(int signal, const char* name) {
  ServerWithClients s;
  ASSERT_NO_FATAL_FAILURE(StartServerWithClients(&s));
  auto& server = s.server;

  server->process().Signal(signal);
  for (Connection* client : s.clients()) {
    EXPECT_TRUE(ClosedAfter(*client, {"BYE Server shutting down"}));
  }
  auto status = server->process().Wait();
  ASSERT_TRUE(status.has_value()) << "the server did not exit";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "wait status " << *status;
  ExpectNothingLeft(s);
  EXPECT_TRUE(
      server->WaitForLog(std::string("server: shutting down (") + name + ")"));
  EXPECT_TRUE(server->WaitForLog("server: shutdown complete"));
}

TEST(ProcessModelTest, SigtermSaysByeToEveryClientAndExitsCleanly) {
  ExpectCleanShutdown(SIGTERM, "SIGTERM");
}

TEST(ProcessModelTest, SigintShutsDownLikeSigterm) {
  ExpectCleanShutdown(SIGINT, "SIGINT");
}

TEST(ProcessModelTest, NoSharedMemoryNameExistsWhileRunning) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  auto alice = ConnectAndJoin(server->port(), "Alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_TRUE(ShmObjectsOf(server->pid()).empty());
}

// --- The status log ---------------------------------------------------------

// Whether `text` matches `pattern`, where "%d" stands for one or more
// digits and everything else for itself. (std::regex trips a false
// -Wmaybe-uninitialized in GCC 12 under the sanitizers.)
bool Matches(std::string_view text, std::string_view pattern) {
  while (!pattern.empty()) {
    if (pattern.substr(0, 2) == "%d") {
      size_t digits = 0;
      while (digits < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[digits]))) {
        ++digits;
      }
      if (digits == 0) return false;
      text.remove_prefix(digits);
      pattern.remove_prefix(2);
    } else {
      if (text.empty() || text[0] != pattern[0]) return false;
      text.remove_prefix(1);
      pattern.remove_prefix(1);
    }
  }
  return text.empty();
}

// ISO-8601 UTC with milliseconds: 2024-05-01T12:00:00.123Z (24 bytes).
constexpr std::string_view kTime = "%d-%d-%dT%d:%d:%d.%dZ";

TEST(StatusLogTest, NamesEachEventWithFdAndPid) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  pid_t worker;
  auto alice = JoinAndFindWorker(*server, "Alice", &worker);
  ASSERT_NE(alice, nullptr);
  alice->SendLine("MESG Alice secret text");
  EXPECT_TRUE(
      NextLinesAre(*alice, {"MESG Alice secret text", "OK MESG Alice"}));
  alice->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*alice, {"OK QUIT"}));

  const std::string who = " fd %d pid " + std::to_string(worker) + ": ";
  auto expect = [&](const std::string& needle, const std::string& event) {
    auto line = server->WaitForLog(needle);
    ASSERT_TRUE(line) << "no log line containing \"" << needle << "\"";
    EXPECT_TRUE(Matches(*line, std::string(kTime) + who + event) &&
                line->find('Z') == 23)
        << "log line: " << *line;
  };
  expect("accepted", "accepted from 127.0.0.1:%d");
  expect("JOIN Alice", "JOIN Alice accepted");
  // Without -v the text stays out of the log.
  expect("request MESG", "request MESG by Alice");
  expect("request QUIT", "request QUIT by Alice");
  expect("LEFT", "LEFT Alice (quit)");
  expect("reaped", "reaped: exit 0 (quit)");
}

TEST(StatusLogTest, VerboseLogsMessageTexts) {
  auto server = ServerProcess::Start({"-v"});
  ASSERT_NE(server, nullptr);
  auto alice = ConnectAndJoin(server->port(), "Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("MESG Alice secret text");
  EXPECT_TRUE(
      NextLinesAre(*alice, {"MESG Alice secret text", "OK MESG Alice"}));
  auto line = server->WaitForLog("request MESG");
  ASSERT_TRUE(line);
  EXPECT_TRUE(line->ends_with(": request MESG by Alice: Alice secret text"))
      << *line;
}

TEST(StatusLogTest, RefusedJoinAndClosedConnectionSayWhy) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  auto alice = ConnectAndJoin(server->port(), "Alice");
  auto other = ConnectAndGreet(server->port());
  ASSERT_TRUE(alice && other);
  other->SendLine("JOIN ALICE");
  EXPECT_TRUE(NextLineIs(*other, "ERR Username Taken: ALICE"));
  EXPECT_TRUE(server->WaitForLog(": JOIN ALICE refused: Username Taken"));
  other->SendLine("FOO");
  EXPECT_TRUE(NextLineIs(*other, "ERR Unknown Message: FOO"));
  EXPECT_TRUE(
      server->WaitForLog(": bad request by (unregistered): Unknown Message"));
  alice->Close();
  EXPECT_TRUE(server->WaitForLog(": LEFT Alice (closed)"));
  EXPECT_TRUE(server->WaitForLog(": reaped: exit 10 (closed)"));
}

TEST(StatusLogTest, QuietKeepsOnlyErrors) {
  auto server =
      Subprocess::Start(ProgramPath("server"), {"0", "-q", "--ephemeral"});
  auto listening = server->WaitForStdout("listening on ");
  ASSERT_TRUE(listening);
  auto port = static_cast<uint16_t>(
      std::stoi(listening->substr(listening->rfind(':') + 1)));
  auto alice = ConnectAndJoin(port, "Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*alice, {"OK QUIT"}));
  server->Signal(SIGTERM);
  std::string log;
  ASSERT_TRUE(server->err().ReadToEof(&log));
  EXPECT_EQ(log, "");
  auto status = server->Wait();
  ASSERT_TRUE(status && WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace chat::test
