// Stopped processes: a worker stopped (SIGSTOP) while it holds the user
// table's lock does not stop the broker, which never waits for that lock:
// another worker's death is still reaped and announced and new connections
// are still greeted; a worker that needs the lock meanwhile waits and
// reports it, and carries on once the holder runs again. A stopped spawner
// or store is killed and replaced. Real processes, stopped and continued by
// pid.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <thread>

#include "server/server_children.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

using std::chrono::milliseconds;

// The worker pid in a log line's subject "fd N pid P".
pid_t PidInLogLine(const std::optional<std::string>& line) {
  std::smatch match;
  static const std::regex kPid(" pid ([0-9]+)");
  if (!line || !std::regex_search(*line, match, kPid)) return -1;
  return std::stoi(match[1]);
}

// The user table's lock word as process `pid` sees it: read from its
// mapping of the segment (/dev/shm/chat-server.*) through /proc/PID/mem.
// The registry's header puts its mutex at offset 128 (after 68 bytes of
// fixed fields, aligned to 64), and glibc's lock word comes first in it.
std::optional<unsigned> LockWordOf(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("/dev/shm/chat-server.") == std::string::npos) continue;
    uint64_t start = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    std::ifstream mem("/proc/" + std::to_string(pid) + "/mem",
                      std::ios::binary);
    mem.seekg(static_cast<std::streamoff>(start + 128));
    unsigned word = 0;
    if (!mem.read(reinterpret_cast<char*>(&word), sizeof word)) break;
    return word;
  }
  return std::nullopt;
}

TEST(StoppedProcessTest, WorkerStoppedHoldingTheLockStallsNobody) {
  // Many slots: each LIST walks them all under the lock, so a worker busy
  // answering LIST holds it most of the time.
  auto server = ServerProcess::Start({"--ephemeral", "--max-users", "100000"});
  ASSERT_TRUE(server);
  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_TRUE(bob);
  pid_t bob_pid = PidInLogLine(server->WaitForLog("JOIN Bob accepted"));
  auto carol = ConnectAndJoin(server->port(), "Carol");
  ASSERT_TRUE(carol);
  auto busy = ConnectAndJoin(server->port(), "Busy");
  ASSERT_TRUE(busy);
  pid_t busy_pid = PidInLogLine(server->WaitForLog("JOIN Busy accepted"));
  ASSERT_GT(bob_pid, 0);
  ASSERT_GT(busy_pid, 0);

  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::string batch;
    for (int i = 0; i < 100; ++i) batch += "LIST\n";
    while (!done && busy->Send(batch)) {
    }
  });
  std::thread reader([&] {
    char buffer[65536];
    while (!done && recv(busy->fd(), buffer, sizeof buffer, 0) > 0) {
    }
  });
  // Stop it until it is caught holding the lock (bounded).
  bool caught = false;
  for (int attempt = 0; attempt < 3000 && !caught; ++attempt) {
    ASSERT_EQ(kill(busy_pid, SIGSTOP), 0);
    ASSERT_TRUE(WaitForStopped(busy_pid));
    std::optional<unsigned> word = LockWordOf(busy_pid);
    ASSERT_TRUE(word);
    caught = static_cast<pid_t>(*word & 0x3fffffff) == busy_pid;
    if (!caught) kill(busy_pid, SIGCONT);
  }
  ASSERT_TRUE(caught) << "the busy worker was never caught holding the lock";
  done = true;
  shutdown(busy->fd(), SHUT_RDWR);
  writer.join();
  reader.join();

  // Bob's worker dies holding its name: the broker reaps it without the
  // lock, announces LEFT and reports the deferred clear.
  ASSERT_EQ(kill(bob_pid, SIGKILL), 0);
  EXPECT_TRUE(carol->SkipUntil("LEFT Bob"));
  EXPECT_TRUE(
      server->WaitForLog("the user table is locked by another process"));
  // The broker still greets new connections and its workers still answer.
  auto late = ConnectAndGreet(server->port());
  ASSERT_TRUE(late);
  late->SendLine("PING still-here");
  EXPECT_TRUE(NextLineIs(*late, "PONG still-here"));

  // A JOIN needs the lock: its worker waits and says for how long.
  late->SendLine("JOIN Dave");
  EXPECT_TRUE(server->WaitForLog("s for the user table's lock, held by pid " +
                                 std::to_string(busy_pid)));
  ASSERT_EQ(kill(busy_pid, SIGCONT), 0);
  EXPECT_TRUE(late->SkipUntil("OK JOIN Dave"));
  // Bob's name is free again: cleared by the broker's retry, or by the
  // next JOIN on the connection index Bob's worker had (here Dave's, as
  // freed indices are reused first).
  auto bob_again = ConnectAndJoin(server->port(), "Bob");
  EXPECT_TRUE(bob_again);
}

// A stopped spawner answers nothing: after 3 s of silence with a
// connection waiting, the broker kills it and starts another, which serves
// the next connections.
TEST(StoppedProcessTest, StoppedSpawnerIsReplaced) {
  auto server = ServerProcess::Start({"--ephemeral"});
  ASSERT_TRUE(server);
  pid_t spawner = SpawnerOf(server->pid());
  ASSERT_GT(spawner, 0);
  ASSERT_EQ(kill(spawner, SIGSTOP), 0);
  ASSERT_TRUE(WaitForStopped(spawner));
  auto waiting = Connection::Open(server->port());
  ASSERT_TRUE(waiting);
  EXPECT_TRUE(server->WaitForLog("spawner pid " + std::to_string(spawner) +
                                     " has not answered for 3 s (stopped?): "
                                     "killing it",
                                 milliseconds(10000)));
  EXPECT_TRUE(server->WaitForLog("spawner started, pid"));
  // The connection the stopped spawner held is closed, not left hanging.
  EXPECT_TRUE(waiting->WaitClosed());
  auto next = ConnectAndJoin(server->port(), "Alice");
  EXPECT_TRUE(next);
}

// A stopped store answers nothing: a request waiting for it gets an error
// once the store has left the broker's ping unanswered for 10 s and was
// killed, a new store serves the next requests, and users already on line
// keep chatting meanwhile (the broker relays without the store).
TEST(StoppedProcessTest, StoppedStoreIsReplaced) {
  auto server = ServerProcess::Start();
  ASSERT_TRUE(server);
  auto alice = ConnectAndJoin(server->port(), "Alice");
  ASSERT_TRUE(alice);
  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_TRUE(bob);
  ASSERT_TRUE(alice->SkipUntil("JOINED Bob"));
  pid_t store = StoreOf(server->pid());
  ASSERT_GT(store, 0);
  ASSERT_EQ(kill(store, SIGSTOP), 0);
  ASSERT_TRUE(WaitForStopped(store));

  auto carol = ConnectAndGreet(server->port());
  ASSERT_TRUE(carol);
  carol->SendLine("REGISTER Carol correct-horse");
  // While Carol's request waits, Alice and Bob chat.
  alice->SendLine("BCST is the store asleep?");
  EXPECT_TRUE(NextLineIs(*alice, "OK BCST 1"));
  EXPECT_TRUE(NextLineIs(*bob, "BCST Alice is the store asleep?"));
  bob->SendLine("BCST chat goes on");
  EXPECT_TRUE(NextLineIs(*bob, "OK BCST 1"));
  EXPECT_TRUE(NextLineIs(*alice, "BCST Bob chat goes on"));

  const milliseconds kPastSilence(30000);
  EXPECT_TRUE(server->WaitForLog("store pid " + std::to_string(store) +
                                     " has not answered for 10 s (stopped?): "
                                     "killing it",
                                 kPastSilence));
  EXPECT_TRUE(server->WaitForLog("store started, pid", kPastSilence));
  EXPECT_EQ(carol->ReadLine(kPastSilence),
            "ERR Unavailable: the database restarted; try again");
  EXPECT_NE(StoreOf(server->pid()), store);

  carol->SendLine("REGISTER Carol correct-horse");
  EXPECT_TRUE(carol->SkipUntil("OK REGISTER Carol", nullptr, kPastSilence));
  EXPECT_TRUE(alice->SkipUntil("JOINED Carol"));
}

}  // namespace
}  // namespace chat::test
