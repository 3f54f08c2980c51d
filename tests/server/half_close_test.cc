// Half-close: a client that sends a batch and then shuts its sending side
// (printf ... | nc -N) gets every answer before the server closes; one that
// closes both ways still has every line it sent handled (relayed), though
// its answers have nowhere to go. Real sockets, real server.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

class HalfCloseTest : public testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
  }
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(HalfCloseTest, BatchThenShutdownGetsEveryAnswer) {
  auto client = ConnectAndGreet(server_->port());
  ASSERT_TRUE(client);
  std::string batch = "JOIN Alice\n";
  for (int i = 0; i < 1000; ++i) batch += "PING " + std::to_string(i) + "\n";
  batch += "LIST\n";
  ASSERT_TRUE(client->Send(batch));
  ASSERT_EQ(shutdown(client->fd(), SHUT_WR), 0);
  std::vector<std::string> answers;
  ASSERT_TRUE(client->WaitClosed(&answers));
  ASSERT_EQ(answers.size(), 1002u);
  EXPECT_EQ(answers.front(), "OK JOIN Alice");
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(answers[i + 1], "PONG " + std::to_string(i));
  }
  EXPECT_EQ(answers.back(), "LIST Alice");
}

TEST_F(HalfCloseTest, BcstThenShutdownGetsItsOk) {
  auto bob = ConnectAndJoin(server_->port(), "Bob");
  ASSERT_TRUE(bob);
  auto alice = ConnectAndJoin(server_->port(), "Alice");
  ASSERT_TRUE(alice);
  ASSERT_TRUE(NextLineIs(*bob, "JOINED Alice"));
  ASSERT_TRUE(alice->Send("BCST hello all\n"));
  ASSERT_EQ(shutdown(alice->fd(), SHUT_WR), 0);
  EXPECT_TRUE(ClosedAfter(*alice, {"OK BCST 1"}));
  EXPECT_TRUE(NextLinesAre(*bob, {"BCST Alice hello all", "LEFT Alice"}));
}

TEST_F(HalfCloseTest, FullCloseStillHasEveryLineRelayed) {
  auto bob = ConnectAndJoin(server_->port(), "Bob");
  ASSERT_TRUE(bob);
  auto alice = ConnectAndJoin(server_->port(), "Alice");
  ASSERT_TRUE(alice);
  ASSERT_TRUE(NextLineIs(*bob, "JOINED Alice"));
  std::string batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 500; ++i) {
    batch += "MESG Bob line " + std::to_string(i) + "\n";
    expected.push_back("MESG Alice line " + std::to_string(i));
  }
  batch += "BCST last\n";
  expected.push_back("BCST Alice last");
  expected.push_back("LEFT Alice");
  ASSERT_TRUE(alice->Send(batch));
  alice->Close();
  EXPECT_TRUE(NextLinesAre(*bob, expected));
  EXPECT_TRUE(server_->WaitForLog("LEFT Alice (closed)"));
}

}  // namespace
}  // namespace chat::test
