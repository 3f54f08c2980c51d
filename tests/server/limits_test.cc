// The server's limits: --max-users (Too Many Users, then a freed slot is
// reusable), --max-connections (Too Many Connections, no fork) and
// --join-timeout (BYE Join Timeout).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/server_children.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

// U0 to U9, joined in that order: as many users as the server takes.
void JoinTenUsers(uint16_t port,
                  std::vector<std::unique_ptr<Connection>>* users) {
  for (int i = 0; i < 10; ++i) {
    users->push_back(ConnectAndJoin(port, "U" + std::to_string(i)));
    ASSERT_NE(users->back(), nullptr);
  }
}

TEST(LimitsTest, EleventhUserIsRefusedAndClosed) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<Connection>> users;
  ASSERT_NO_FATAL_FAILURE(JoinTenUsers(server->port(), &users));
  auto eleventh = ConnectAndGreet(server->port());
  ASSERT_NE(eleventh, nullptr);
  eleventh->SendLine("JOIN Kate");
  EXPECT_TRUE(ClosedAfter(*eleventh, {"ERR Too Many Users"}));
  EXPECT_TRUE(server->WaitForLog("JOIN Kate refused: Too Many Users"));
  // Nobody heard of Kate.
  EXPECT_TRUE(NextLinesAre(*users[0], {"JOINED U1", "JOINED U2", "JOINED U3",
                                       "JOINED U4", "JOINED U5", "JOINED U6",
                                       "JOINED U7", "JOINED U8", "JOINED U9"}));
  EXPECT_TRUE(NothingPending(*users[0]));
  users[0]->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*users[0], "LIST U0,U1,U2,U3,U4,U5,U6,U7,U8,U9"));
}

TEST(LimitsTest, SlotIsReusableAfterSomeoneLeaves) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<Connection>> users;
  ASSERT_NO_FATAL_FAILURE(JoinTenUsers(server->port(), &users));
  ASSERT_TRUE(users[0]->SkipUntil("JOINED U9"));
  auto waiting = ConnectAndGreet(server->port());
  ASSERT_NE(waiting, nullptr);
  waiting->SendLine("JOIN Kate");
  EXPECT_TRUE(ClosedAfter(*waiting, {"ERR Too Many Users"}));

  // Pushes are not ordered against a user's own answers: U4 takes the
  // JOINED lines meant for it before it asks for anything.
  ASSERT_TRUE(users[4]->SkipUntil("JOINED U9"));
  users[4]->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*users[4], {"OK QUIT"}));
  EXPECT_TRUE(NextLineIs(*users[0], "LEFT U4"));
  auto kate = ConnectAndJoin(server->port(), "Kate");
  ASSERT_NE(kate, nullptr);
  EXPECT_TRUE(NextLineIs(*users[0], "JOINED Kate"));
  kate->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*kate, "LIST U0,U1,U2,U3,U5,U6,U7,U8,U9,Kate"));
}

TEST(LimitsTest, MaxUsersOptionSetsTheLimit) {
  auto server = ServerProcess::Start({"--max-users", "2"});
  ASSERT_NE(server, nullptr);
  auto a = ConnectAndJoin(server->port(), "A");
  auto b = ConnectAndJoin(server->port(), "B");
  ASSERT_TRUE(a && b);
  auto c = ConnectAndGreet(server->port());
  ASSERT_NE(c, nullptr);
  c->SendLine("JOIN C");
  EXPECT_TRUE(ClosedAfter(*c, {"ERR Too Many Users"}));
}

TEST(LimitsTest, TooManyConnectionsIsRefusedWithoutAWorker) {
  auto server = ServerProcess::Start({"--max-connections", "2"});
  ASSERT_NE(server, nullptr);
  auto first = ConnectAndGreet(server->port());
  auto second = ConnectAndGreet(server->port());
  ASSERT_TRUE(first && second);
  auto third = Connection::Open(server->port());
  ASSERT_NE(third, nullptr);
  EXPECT_TRUE(ClosedAfter(*third, {"ERR Too Many Connections"}));
  EXPECT_TRUE(server->WaitForLog("refused from 127.0.0.1:"));
  EXPECT_EQ(WorkersOf(server->pid()).size(), 2u);

  // Once a connection is gone (its worker reaped), there is room again.
  first->Close();
  EXPECT_TRUE(server->WaitForLog("reaped: exit 10 (closed)"));
  auto fourth = ConnectAndGreet(server->port());
  ASSERT_NE(fourth, nullptr);
  fourth->SendLine("JOIN Dora");
  EXPECT_TRUE(NextLineIs(*fourth, "OK JOIN Dora"));
}

TEST(LimitsTest, JoinTimeoutSaysByeAndCloses) {
  auto server = ServerProcess::Start({"--join-timeout", "1"});
  ASSERT_NE(server, nullptr);
  auto joined = ConnectAndJoin(server->port(), "Early");
  ASSERT_NE(joined, nullptr);
  auto idle = ConnectAndGreet(server->port());
  ASSERT_NE(idle, nullptr);
  // PING does not count as joining.
  idle->SendLine("PING still here");
  EXPECT_TRUE(NextLineIs(*idle, "PONG still here"));
  EXPECT_TRUE(ClosedAfter(*idle, {"BYE Join Timeout"}));
  EXPECT_TRUE(server->WaitForLog("reaped: exit 11 (join timeout)"));
  // The registered connection, older than the timeout by now, stays.
  EXPECT_TRUE(NothingPending(*joined));
}

}  // namespace
}  // namespace chat::test
