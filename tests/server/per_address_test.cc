// Per-address connection limits on a real server over loopback, made to
// count loopback with --limit-loopback: the lock-out (one address
// opening 256 connections kept every other address out) no longer works;
// the open count, the new-connection rate and the penalty for connections
// that never register each refuse with the documented line, before any
// worker is started; loopback is exempt without the option, and --exempt
// exempts a network.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

constexpr char kHello[] = "HELLO chat-server 1.0; send JOIN <username>";
constexpr char kFromYourAddress[] =
    "ERR Too Many Connections: from your address";

// Connects from `source` and returns the first line the server sends.
std::string FirstLine(uint16_t port, const std::string& source,
                      std::unique_ptr<Connection>* kept = nullptr) {
  auto connection = Connection::Open(port, "127.0.0.1", source);
  if (!connection) return "(connect failed)";
  std::string line = connection->ReadLine().value_or("(nothing)");
  if (kept) *kept = std::move(connection);
  return line;
}

TEST(PerAddressTest, OneAddressCannotLockOthersOut) {
  auto server = ServerProcess::Start({"--limit-loopback"});
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<Connection>> held;
  int greeted = 0;
  int refused = 0;
  for (int i = 0; i < 256; ++i) {
    std::unique_ptr<Connection> connection;
    std::string line = FirstLine(server->port(), "127.0.0.1", &connection);
    if (line == kHello) {
      ++greeted;
      held.push_back(std::move(connection));
    } else {
      EXPECT_EQ(line, kFromYourAddress);
      EXPECT_TRUE(connection->WaitClosed());
      ++refused;
    }
  }
  EXPECT_EQ(greeted, 16);
  EXPECT_EQ(refused, 240);
  EXPECT_TRUE(server->WaitForLog(
      "Too Many Connections: from your address (too many connections open)"));
  // Another address is served as if nothing happened.
  std::unique_ptr<Connection> other;
  EXPECT_EQ(FirstLine(server->port(), "127.0.0.2", &other), kHello);
  other->SendLine("JOIN Carol");
  EXPECT_TRUE(NextLineIs(*other, "OK JOIN Carol"));
}

TEST(PerAddressTest, ClosingAConnectionFreesItsPlace) {
  auto server =
      ServerProcess::Start({"--limit-loopback", "--max-per-address", "2"});
  ASSERT_TRUE(server);
  std::unique_ptr<Connection> a;
  std::unique_ptr<Connection> b;
  ASSERT_EQ(FirstLine(server->port(), "127.0.0.1", &a), kHello);
  ASSERT_EQ(FirstLine(server->port(), "127.0.0.1", &b), kHello);
  EXPECT_EQ(FirstLine(server->port(), "127.0.0.1"), kFromYourAddress);
  a->SendLine("JOIN Alice");
  ASSERT_TRUE(NextLineIs(*a, "OK JOIN Alice"));
  a->SendLine("QUIT");
  ASSERT_TRUE(ClosedAfter(*a, {"OK QUIT"}));
  ASSERT_TRUE(server->WaitForLog("reaped: exit 0 (quit)"));
  EXPECT_EQ(FirstLine(server->port(), "127.0.0.1"), kHello);
}

TEST(PerAddressTest, NewConnectionsAreRateLimited) {
  auto server =
      ServerProcess::Start({"--limit-loopback", "--connect-rate", "3/600"});
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<Connection>> held(3);
  for (auto& connection : held) {
    ASSERT_EQ(FirstLine(server->port(), "127.0.0.1", &connection), kHello);
  }
  EXPECT_EQ(FirstLine(server->port(), "127.0.0.1"), kFromYourAddress);
  EXPECT_TRUE(server->WaitForLog("(too many new connections)"));
  EXPECT_EQ(FirstLine(server->port(), "127.0.0.3"), kHello);
}

TEST(PerAddressTest, ConnectionsThatNeverRegisterCostAPenalty) {
  auto server = ServerProcess::Start({"--limit-loopback"});
  ASSERT_TRUE(server);
  // Each costs 2 s; past 10 s owed the address is refused.
  for (int i = 0; i < 6; ++i) {
    std::unique_ptr<Connection> connection;
    ASSERT_EQ(FirstLine(server->port(), "127.0.0.1", &connection), kHello);
    connection->Close();
    ASSERT_TRUE(server->WaitForLog("reaped: exit 10 (closed)"));
  }
  EXPECT_EQ(FirstLine(server->port(), "127.0.0.1"), kFromYourAddress);
  EXPECT_TRUE(
      server->WaitForLog("(penalised for connections that never registered)"));
  EXPECT_EQ(FirstLine(server->port(), "127.0.0.2"), kHello);
}

TEST(PerAddressTest, LoopbackIsExemptWithoutLimitLoopback) {
  auto server = ServerProcess::Start({"--max-per-address", "2"});
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<Connection>> held(5);
  for (auto& connection : held) {
    EXPECT_EQ(FirstLine(server->port(), "127.0.0.1", &connection), kHello);
  }
}

TEST(PerAddressTest, ExemptNetworkIsNotLimited) {
  auto server = ServerProcess::Start({"--limit-loopback", "--max-per-address",
                                      "2", "--exempt", "127.0.0.4/30"});
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<Connection>> held(5);
  for (auto& connection : held) {
    EXPECT_EQ(FirstLine(server->port(), "127.0.0.5", &connection), kHello);
  }
  std::vector<std::unique_ptr<Connection>> limited(2);
  for (auto& connection : limited) {
    EXPECT_EQ(FirstLine(server->port(), "127.0.0.1", &connection), kHello);
  }
  EXPECT_EQ(FirstLine(server->port(), "127.0.0.1"), kFromYourAddress);
}

// The second lock-out: ten idle registered connections from one
// address held every --max-users place. Now one address holds at most half
// of them (by default), and another address still gets in.
TEST(PerAddressTest, OneAddressCannotFillTheUserTable) {
  auto server = ServerProcess::Start({"--limit-loopback", "--ephemeral"});
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < 5; ++i) {
    std::unique_ptr<Connection> connection;
    ASSERT_EQ(FirstLine(server->port(), "127.0.0.1", &connection), kHello);
    std::string name = "User" + std::to_string(i);
    connection->SendLine("JOIN " + name);
    ASSERT_TRUE(NextLineIs(*connection, "OK JOIN " + name));
    held.push_back(std::move(connection));
  }
  std::unique_ptr<Connection> sixth;
  ASSERT_EQ(FirstLine(server->port(), "127.0.0.1", &sixth), kHello);
  sixth->SendLine("JOIN User5");
  EXPECT_TRUE(ClosedAfter(*sixth, {"ERR Too Many Users: from your address"}));
  EXPECT_TRUE(server->WaitForLog(
      "JOIN User5 refused: Too Many Users: from your address"));
  std::unique_ptr<Connection> other;
  ASSERT_EQ(FirstLine(server->port(), "127.0.0.2", &other), kHello);
  other->SendLine("JOIN Carol");
  EXPECT_TRUE(NextLineIs(*other, "OK JOIN Carol"));
}

TEST(PerAddressTest, MaxUsersPerAddressSetsTheCap) {
  auto server = ServerProcess::Start(
      {"--limit-loopback", "--ephemeral", "--max-users-per-address", "1"});
  ASSERT_TRUE(server);
  std::unique_ptr<Connection> first;
  ASSERT_EQ(FirstLine(server->port(), "127.0.0.1", &first), kHello);
  first->SendLine("JOIN Alice");
  ASSERT_TRUE(NextLineIs(*first, "OK JOIN Alice"));
  std::unique_ptr<Connection> second;
  ASSERT_EQ(FirstLine(server->port(), "127.0.0.1", &second), kHello);
  second->SendLine("JOIN Bob");
  EXPECT_TRUE(ClosedAfter(*second, {"ERR Too Many Users: from your address"}));
}

}  // namespace
}  // namespace chat::test
