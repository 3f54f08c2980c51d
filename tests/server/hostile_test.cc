// Hostile clients, end to end: many connections send random and mutated
// lines, half-lines, over-long lines and invalid UTF-8, and end by closing,
// half-closing or resetting (SO_LINGER 0), while a control pair, Alice and
// Bob, exchange messages. Alice's and Bob's messages must arrive intact and
// in order, the broker, spawner and store must be the same processes
// afterwards, every hostile worker must end with a session's own reason
// (never a signal, a sanitizer's exit or an internal error), and none may
// be left over.
//
// The run is deterministic for a seed: CHAT_HOSTILE_SEED=N repeats one (the
// seed is printed with every failure); the default is fixed, so `make test`
// is repeatable. Bounded: kRounds x kConnectionsPerRound connections.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/server_children.h"
#include "support/connection.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

constexpr uint64_t kDefaultSeed = 20261205;
constexpr int kRounds = 8;
constexpr int kConnectionsPerRound = 16;
constexpr int kControlMessagesPerRound = 6;

uint64_t Seed() {
  const char* text = std::getenv("CHAT_HOSTILE_SEED");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : kDefaultSeed;
}

// Requests a client may send, as the mutations' starting points (no
// REGISTER or LOGIN: their password hashing only slows the run down).
constexpr std::string_view kTemplates[] = {
    "JOIN mallory",
    "JOIN #lobby",
    "LIST",
    "LIST #lobby",
    "MESG Bob hi",
    "MESG #lobby hello",
    "BCST look here",
    "PING x",
    "PART #lobby",
    "ROOMS",
    "PRIVACY ask",
    "INVITE Alice",
    "ACCEPT Bob",
    "REJECT Alice",
    "END Bob",
    "CHATS",
    "HISTORY * 5",
    "QUIT",
    "JOIN Alice",
    "MESG Alice x",
    "FILE OFFER Bob 5 "
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 a.txt",
    "FILE DATA 1 aGVsbG8=",
    "FILE ACK 1 5",
    "FILE CANCEL 1"};

// Text a user might type: ASCII, TAB, and UTF-8 of two, three and four
// bytes, never empty and never a control character.
std::string ControlText(std::mt19937_64& random) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", "7", " ", "\t", ":", "#", "é", "✓", "😀", "中", "~", "\\"};
  std::string text = "x";  // a first byte that is not a space
  size_t length = std::uniform_int_distribution<size_t>(1, 300)(random);
  for (size_t i = 0; i < length; ++i) {
    text += kPieces[random() % kPieces.size()];
  }
  return text;
}

std::string RandomBytes(std::mt19937_64& random, size_t length) {
  std::string bytes(length, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
  return bytes;
}

// A request with some bytes flipped, inserted, removed or cut off.
std::string Mutated(std::mt19937_64& random) {
  std::string line(kTemplates[random() % std::size(kTemplates)]);
  int edits = static_cast<int>(random() % 4);
  for (int i = 0; i < edits && !line.empty(); ++i) {
    size_t at = random() % line.size();
    switch (random() % 5) {
      case 0:
        line[at] = static_cast<char>(random() & 0xFF);
        break;
      case 1:
        line.insert(at, 1, static_cast<char>(random() & 0xFF));
        break;
      case 2:
        line.erase(at, 1);
        break;
      case 3:
        line.resize(at);
        break;
      case 4:
        line.insert(at, "\r");
        break;
    }
  }
  return line;
}

// Byte sequences that are not UTF-8: a lone continuation, an overlong, a
// surrogate, past U+10FFFF, a truncated sequence, a C1 control.
std::string InvalidUtf8Line(std::mt19937_64& random) {
  static const std::string_view kBad[] = {
      "\x80",     "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
      "\xe2\x82", "\xc2\x9b", "\xff"};
  return "BCST caf" + std::string(kBad[random() % std::size(kBad)]) + "!";
}

// Sends `bytes` in a few pieces of random size, as a slow client would.
bool SendInPieces(Connection& connection, std::string_view bytes,
                  std::mt19937_64& random) {
  while (!bytes.empty()) {
    size_t take = std::min<size_t>(bytes.size(), 1 + random() % 2048);
    if (!connection.Send(bytes.substr(0, take))) return false;
    bytes.remove_prefix(take);
  }
  return true;
}

enum class Ending { kClose, kReset, kHalfClose, kAnswered };

struct Hostile {
  std::unique_ptr<Connection> connection;
  Ending ending = Ending::kClose;
  std::string token;  // kAnswered: the PING token it waits for
};

// Opens one hostile connection and sends what it chose.
Hostile StartHostile(uint16_t port, std::mt19937_64& random, int number) {
  Hostile hostile;
  hostile.connection = Connection::Open(port);
  if (!hostile.connection) return hostile;
  hostile.ending = static_cast<Ending>(random() % 4);
  std::string bytes;
  int lines = 1 + static_cast<int>(random() % 6);
  for (int i = 0; i < lines; ++i) {
    switch (random() % 5) {
      case 0:
        bytes += RandomBytes(random, random() % 200) + "\n";
        break;
      case 1:
      case 2: {
        std::string line = Mutated(random);
        // A connection that must still answer at the end does not QUIT.
        if (line.rfind("QUIT", 0) == 0) line = "PING q";
        bytes += line + (random() % 2 ? "\r\n" : "\n");
        break;
      }
      case 3:
        bytes += InvalidUtf8Line(random) + "\n";
        break;
      case 4:  // over the 4096-byte limit, by a little or by a lot
        bytes += "BCST " + std::string(4092 + random() % 20000, 'o') + "\n";
        break;
    }
  }
  if (hostile.ending == Ending::kAnswered) {
    // Whatever came before, the connection still answers a good request.
    hostile.token = "alive" + std::to_string(number);
    bytes += "PING " + hostile.token + "\n";
  } else if (random() % 2 == 0) {
    // A half-line: the rest never comes.
    bytes += Mutated(random).substr(0, 1 + random() % 8);
  }
  SendInPieces(*hostile.connection, bytes, random);
  return hostile;
}

void FinishHostile(Hostile& hostile) {
  if (!hostile.connection) return;
  switch (hostile.ending) {
    case Ending::kClose:
      break;
    case Ending::kReset: {
      linger reset{1, 0};  // close() sends RST, whatever is unread
      setsockopt(hostile.connection->fd(), SOL_SOCKET, SO_LINGER, &reset,
                 sizeof reset);
      break;
    }
    case Ending::kHalfClose:
      shutdown(hostile.connection->fd(), SHUT_WR);
      // The server ends the session once it has read our end of file.
      EXPECT_TRUE(hostile.connection->WaitClosed());
      break;
    case Ending::kAnswered:
      EXPECT_TRUE(hostile.connection->SkipUntil("PONG " + hostile.token))
          << "a hostile connection stopped answering";
      break;
  }
  hostile.connection->Close();
}

// One side of the control pair: what it sent, and what it received from
// the other side.
struct ControlSide {
  std::string name;
  std::unique_ptr<Connection> connection;
  std::vector<std::string> sent;      // lines the peer must see, in order
  std::vector<std::string> received;  // lines from the peer, in order
};

// Reads until `side`'s own PONG <token>, keeping what came from `peer`.
bool Drain(ControlSide& side, std::string_view peer, std::string_view token) {
  std::vector<std::string> lines;
  if (!side.connection->SkipUntil("PONG " + std::string(token), &lines)) {
    return false;
  }
  std::string mesg = "MESG " + std::string(peer) + " ";
  std::string bcst = "BCST " + std::string(peer) + " ";
  for (std::string& line : lines) {
    if (line.rfind(mesg, 0) == 0 || line.rfind(bcst, 0) == 0) {
      side.received.push_back(std::move(line));
    }
  }
  return true;
}

// Sends a few messages to the peer (private and broadcast) and records
// the lines the peer should get for them.
void SendControl(ControlSide& from, std::string_view to,
                 std::mt19937_64& random) {
  for (int i = 0; i < kControlMessagesPerRound; ++i) {
    std::string text = ControlText(random);
    if (random() % 3 == 0) {
      from.connection->SendLine("BCST " + text);
      from.sent.push_back("BCST " + from.name + " " + text);
    } else {
      from.connection->SendLine("MESG " + std::string(to) + " " + text);
      from.sent.push_back("MESG " + from.name + " " + text);
    }
  }
}

// Whether every worker reaped ended as a session does.
bool EndedCleanly(const std::string& line) {
  if (line.find("reaped") == std::string::npos) return true;
  for (std::string_view reason : {"(quit)", "(closed)", "(connection error)",
                                  "(too many users)", "(dropped as slow)"}) {
    if (line.find(reason) != std::string::npos) return true;
  }
  return false;
}

TEST(HostileTest, HostileClientsLeaveTheControlPairAndTheServerIntact) {
  const uint64_t seed = Seed();
  SCOPED_TRACE("CHAT_HOSTILE_SEED=" + std::to_string(seed));
  std::mt19937_64 random(seed);

  auto server = ServerProcess::Start({"--max-users", "100"});
  ASSERT_NE(server, nullptr);
  const pid_t spawner = SpawnerOf(server->pid());
  const pid_t store = StoreOf(server->pid());
  ASSERT_GT(spawner, 0);
  ASSERT_GT(store, 0);

  ControlSide alice{"Alice", ConnectAndJoin(server->port(), "Alice"), {}, {}};
  ASSERT_NE(alice.connection, nullptr);
  ASSERT_EQ(WorkersOf(server->pid()).size(), 1u);
  const pid_t alice_worker = WorkersOf(server->pid()).front();
  ControlSide bob{"Bob", ConnectAndJoin(server->port(), "Bob"), {}, {}};
  ASSERT_NE(bob.connection, nullptr);
  const std::vector<pid_t> control_workers = WorkersOf(server->pid());
  ASSERT_EQ(control_workers.size(), 2u);

  int number = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Hostile> hostiles;
    for (int i = 0; i < kConnectionsPerRound; ++i) {
      hostiles.push_back(StartHostile(server->port(), random, number++));
      ASSERT_NE(hostiles.back().connection, nullptr) << "round " << round;
    }
    SendControl(alice, "Bob", random);
    SendControl(bob, "Alice", random);
    std::string token = "round" + std::to_string(round);
    alice.connection->SendLine("PING " + token);
    bob.connection->SendLine("PING " + token);
    ASSERT_TRUE(Drain(alice, "Bob", token)) << "round " << round;
    ASSERT_TRUE(Drain(bob, "Alice", token)) << "round " << round;
    for (Hostile& hostile : hostiles) FinishHostile(hostile);
  }

  // A last message each way marks the end of what the other must have got.
  alice.connection->SendLine("MESG Bob end");
  alice.sent.push_back("MESG Alice end");
  bob.connection->SendLine("MESG Alice end");
  bob.sent.push_back("MESG Bob end");
  std::vector<std::string> lines;
  ASSERT_TRUE(bob.connection->SkipUntil("MESG Alice end", &lines));
  for (std::string& line : lines) {
    if (line.rfind("MESG Alice ", 0) == 0 || line.rfind("BCST Alice ", 0) == 0)
      bob.received.push_back(std::move(line));
  }
  bob.received.push_back("MESG Alice end");
  lines.clear();
  ASSERT_TRUE(alice.connection->SkipUntil("MESG Bob end", &lines));
  for (std::string& line : lines) {
    if (line.rfind("MESG Bob ", 0) == 0 || line.rfind("BCST Bob ", 0) == 0)
      alice.received.push_back(std::move(line));
  }
  alice.received.push_back("MESG Bob end");

  // Intact and in order, each way (and nothing else in the others' names).
  EXPECT_EQ(bob.received, alice.sent);
  EXPECT_EQ(alice.received, bob.sent);

  // Every hostile worker goes, and only the control pair's remain.
  auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  std::vector<pid_t> workers = WorkersOf(server->pid());
  while (workers.size() > 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    workers = WorkersOf(server->pid());
  }
  std::sort(workers.begin(), workers.end());
  std::vector<pid_t> expected = control_workers;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(workers, expected) << "hostile workers left behind";

  // The same broker, spawner and store.
  EXPECT_TRUE(server->process().running());
  EXPECT_EQ(SpawnerOf(server->pid()), spawner);
  EXPECT_EQ(StoreOf(server->pid()), store);

  // The pair leaves; every session ended as sessions do.
  alice.connection->SendLine("QUIT");
  ASSERT_TRUE(alice.connection->SkipUntil("OK QUIT"));
  std::vector<std::string> log;
  // Alice's worker is reaped after every hostile one: the log up to it
  // tells how they all ended.
  EXPECT_TRUE(server->WaitForLog(
      "pid " + std::to_string(alice_worker) + ": reaped: exit 0 (quit)",
      kEventTimeout, &log));
  int reaped = 0;
  for (const std::string& line : log) {
    EXPECT_TRUE(EndedCleanly(line)) << line;
    if (line.find("reaped") != std::string::npos) ++reaped;
  }
  EXPECT_EQ(reaped, kRounds * kConnectionsPerRound);
}

}  // namespace
}  // namespace chat::test
