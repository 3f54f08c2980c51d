// Stopped processes: a worker stopped (traced) while it holds the user
// table's lock does not stop the broker, which never waits for that lock:
// another worker's death is still reaped and announced and new connections
// are still greeted; a worker that needs the lock meanwhile waits and
// reports it, and carries on once the holder runs again. A stopped spawner
// or store is killed and replaced. Real processes, stopped by pid (SIGSTOP)
// or by a tracer at the registry's trace point.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <regex>
#include <string>

#include "server/server_children.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/tracer.h"

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
// mapping of the registry's segment through /proc/PID/mem. The server maps
// several segments (/dev/shm/chat-server.*); the registry's starts with its
// magic "chatreg1". Its header puts the mutex at offset 128 (after 68 bytes
// of fixed fields, aligned to 64), and glibc's lock word comes first in it.
std::optional<unsigned> LockWordOf(pid_t pid) {
  constexpr uint64_t kRegistryMagic = 0x31676572'74616863;
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("/dev/shm/chat-server.") == std::string::npos) continue;
    uint64_t start = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    std::ifstream mem("/proc/" + std::to_string(pid) + "/mem",
                      std::ios::binary);
    uint64_t magic = 0;
    mem.seekg(static_cast<std::streamoff>(start));
    if (!mem.read(reinterpret_cast<char*>(&magic), sizeof magic)) continue;
    if (magic != kRegistryMagic) continue;
    mem.seekg(static_cast<std::streamoff>(start + 128));
    unsigned word = 0;
    if (!mem.read(reinterpret_cast<char*>(&word), sizeof word)) break;
    return word;
  }
  return std::nullopt;
}

TEST(StoppedProcessTest, WorkerStoppedHoldingTheLockStallsNobody) {
  auto server = ServerProcess::Start({"--ephemeral"});
  ASSERT_TRUE(server);
  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_TRUE(bob);
  pid_t bob_pid = PidInLogLine(server->WaitForLog("JOIN Bob accepted"));
  auto carol = ConnectAndJoin(server->port(), "Carol");
  ASSERT_TRUE(carol);
  ASSERT_TRUE(server->WaitForLog("JOIN Carol accepted"));
  auto busy = Connection::Open(server->port());
  ASSERT_TRUE(busy);
  ASSERT_TRUE(busy->ReadLine().has_value());  // HELLO
  pid_t busy_pid = PidInLogLine(server->WaitForLog("accepted from"));
  ASSERT_GT(bob_pid, 0);
  ASSERT_GT(busy_pid, 0);

  // The busy worker is stopped (traced) inside its JOIN's registry update,
  // where it holds the lock: the registry's "join:indexed" trace point.
  std::string error;
  auto tracer = Tracer::Attach(busy_pid, &error);
  if (!tracer) GTEST_SKIP() << "cannot trace the worker: " << error;
  ASSERT_TRUE(tracer->RunToTracePoint("join:indexed", kEventTimeout, [&] {
    busy->SendLine("JOIN Busy");
  })) << "the worker did not stop inside the registry update";
  std::optional<unsigned> word = LockWordOf(busy_pid);
  ASSERT_TRUE(word);
  ASSERT_EQ(static_cast<pid_t>(*word & 0x3fffffff), busy_pid)
      << "the stopped worker does not hold the lock";

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
  ASSERT_TRUE(tracer->Release());  // the busy worker runs on and unlocks
  EXPECT_TRUE(busy->SkipUntil("OK JOIN Busy"));
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
