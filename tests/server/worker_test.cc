// The worker's writes to its client through a real server: pushes big
// enough to be written straight from the receive buffer still arrive
// complete and in order when the client's socket takes only part of them,
// and answers keep their order around them.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

// Lines over a kilobyte, so that each frame the broker relays is written
// directly. --send-queue sizes the kernel's send buffer too: a burst a bit
// bigger than the option fills the kernel's buffers (with a small receive
// buffer at the client, they hold well under the option here), and the rest
// must wait in the worker, yet stays under the send queue.
constexpr int kLineBytes = 1500;
constexpr int kSendQueue = 256 * 1024;
constexpr int kBurstLines = 200;  // about 300 KB

std::string Text(int i) {
  std::string number = std::to_string(i);
  return number + " " + std::string(kLineBytes - number.size() - 1, 'x');
}

std::string Head(const std::string& line) {
  return line.size() <= 40 ? line : line.substr(0, 40) + "...";
}

// The next lines are exactly `expected`; failures show only line heads.
testing::AssertionResult NextLongLinesAre(
    Connection& connection, const std::vector<std::string>& expected) {
  for (size_t i = 0; i < expected.size(); ++i) {
    auto line = connection.ReadLine();
    if (!line) {
      return testing::AssertionFailure()
             << "line " << i << ": expected \"" << Head(expected[i])
             << "\", got nothing (timeout or close)";
    }
    if (*line != expected[i]) {
      return testing::AssertionFailure()
             << "line " << i << ": expected \"" << Head(expected[i]) << "\" ("
             << expected[i].size() << " bytes), got \"" << Head(*line) << "\" ("
             << line->size() << " bytes)";
    }
  }
  return testing::AssertionSuccess();
}

class WorkerTest : public testing::Test {
 protected:
  void SetUp() override {
    server_ =
        ServerProcess::Start({"--send-queue", std::to_string(kSendQueue)});
    ASSERT_NE(server_, nullptr);
  }
  uint16_t port() const { return server_->port(); }

  // Bob, whose small receive buffer a burst soon fills, then Alice; Bob has
  // read everything up to her arrival.
  void JoinBobAndAlice() {
    bob_ = Connection::Open(port());
    ASSERT_NE(bob_, nullptr);
    bob_->SetReceiveBuffer(16384);
    ASSERT_TRUE(
        NextLineIs(*bob_, "HELLO chat-server 1.0; send JOIN <username>"));
    bob_->SendLine("JOIN Bob");
    ASSERT_TRUE(NextLineIs(*bob_, "OK JOIN Bob"));
    alice_ = ConnectAndJoin(port(), "Alice");
    ASSERT_NE(alice_, nullptr);
    ASSERT_TRUE(NextLineIs(*bob_, "JOINED Alice"));
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Connection> bob_;
  std::unique_ptr<Connection> alice_;
};

TEST_F(WorkerTest, BurstBiggerThanTheSocketTakesArrivesCompleteAndInOrder) {
  ASSERT_NO_FATAL_FAILURE(JoinBobAndAlice());
  Connection& bob = *bob_;
  Connection& alice = *alice_;

  // While Bob does not read: more than his socket's buffers take, less than
  // the send queue, so he is not dropped.
  constexpr int kCount = kBurstLines;
  std::string burst;
  std::vector<std::string> expected;
  for (int i = 0; i < kCount; ++i) {
    burst += "MESG Bob " + Text(i) + "\n";
    expected.push_back("MESG Alice " + Text(i));
  }
  ASSERT_TRUE(alice.Send(burst));
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(NextLineIs(alice, "OK MESG Bob")) << "answer " << i;
  }
  // Requests while the rest of the burst may still wait in the worker (or
  // still be on its way: pushes arrive whenever): their answers come in
  // request order, and the pushes stay whole and in order around them.
  ASSERT_TRUE(bob.Send("PING one\nPING two\nLIST\n"));
  std::vector<std::string> pushes, answers;
  for (int i = 0; i < kCount + 3; ++i) {
    auto line = bob.ReadLine();
    ASSERT_TRUE(line) << "nothing after " << i << " lines";
    (line->starts_with("MESG ") ? pushes : answers).push_back(*line);
  }
  ASSERT_EQ(pushes.size(), expected.size());
  for (size_t i = 0; i < pushes.size(); ++i) {
    ASSERT_TRUE(pushes[i] == expected[i])
        << "push " << i << ": expected \"" << Head(expected[i]) << "\" ("
        << expected[i].size() << " bytes), got \"" << Head(pushes[i]) << "\" ("
        << pushes[i].size() << " bytes)";
  }
  EXPECT_EQ(answers, (std::vector<std::string>{"PONG one", "PONG two",
                                               "LIST Bob,Alice"}));
  EXPECT_TRUE(NothingPending(bob));
}

// Broadcasts interleaved with private messages to a reader whose socket is
// full: one sender's lines keep their order whichever way each is written.
TEST_F(WorkerTest, BigAndSmallPushesToAFullSocketKeepTheirOrder) {
  ASSERT_NO_FATAL_FAILURE(JoinBobAndAlice());
  Connection& bob = *bob_;
  Connection& alice = *alice_;

  constexpr int kCount = kBurstLines * 3 / 2;
  std::vector<std::string> expected;
  std::string burst;
  for (int i = 0; i < kCount; ++i) {
    // Every third line short: it is appended to the output, and must not
    // overtake a big one written or waiting before it.
    std::string text = i % 3 == 0 ? std::to_string(i) : Text(i);
    bool broadcast = i % 2 == 0;
    burst += (broadcast ? "BCST " : "MESG Bob ") + text + "\n";
    expected.push_back((broadcast ? "BCST Alice " : "MESG Alice ") + text);
  }
  ASSERT_TRUE(alice.Send(burst));
  EXPECT_TRUE(NextLongLinesAre(bob, expected));
  EXPECT_TRUE(NothingPending(bob));
}

}  // namespace
}  // namespace chat::test
