// The Session state machine alone: lines in, bytes and frames out, over a
// real registry and a real channel pair, without any server process.
#include "server/session.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "server/log.h"
#include "server/output_buffer.h"

namespace chat::server {
namespace {

using ipc::FrameKind;

// One session with its worker id, and the broker's end of its channel.
struct Endpoint {
  ipc::WorkerId id;
  std::optional<ipc::Channel> worker_end;
  std::optional<ipc::Channel> broker_end;
  std::unique_ptr<Session> session;
};

class SessionTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto registry = ipc::Registry::Create(kMaxUsers, 8, &error);
    ASSERT_TRUE(registry) << error;
    registry_.emplace(std::move(*registry));
  }

  Endpoint& Add() {
    auto& endpoint = endpoints_.emplace_back(std::make_unique<Endpoint>());
    std::string error;
    auto pair = ipc::Channel::CreatePair(&error);
    EXPECT_TRUE(pair) << error;
    endpoint->id = {static_cast<uint32_t>(endpoints_.size() - 1), 1};
    endpoint->broker_end.emplace(std::move(pair->first));
    endpoint->worker_end.emplace(std::move(pair->second));
    endpoint->session = std::make_unique<Session>(
        *registry_, *endpoint->worker_end, endpoint->id, log_, "test");
    endpoint->session->Start();
    Take(*endpoint);  // the HELLO
    return *endpoint;
  }

  // Everything the session wrote for its client so far.
  static std::string Take(Endpoint& endpoint) {
    OutputBuffer& output = endpoint.session->output();
    std::string text(output.pending());
    output.Consume(text.size());
    return text;
  }

  // The next frame the session sent to the broker.
  static std::optional<ipc::Frame> NextFrame(Endpoint& endpoint) {
    endpoint.worker_end->Flush();
    ipc::Frame frame;
    if (endpoint.broker_end->Receive(&frame) != ipc::ChannelStatus::kOk) {
      return std::nullopt;
    }
    return frame;
  }

  // JOINs `name` as the broker would see it: the kJoined frame, then the
  // broker's answer. Leaves the output empty.
  static void Join(Endpoint& endpoint, const std::string& name) {
    endpoint.session->OnInput("JOIN " + name + "\n");
    auto frame = NextFrame(endpoint);
    ASSERT_TRUE(frame);
    ASSERT_EQ(frame->kind, FrameKind::kJoined);
    endpoint.session->OnFrame({FrameKind::kBroadcastDone, {}, 0, {}});
    ASSERT_EQ(Take(endpoint), "OK JOIN " + name + "\n");
  }

  static constexpr uint32_t kMaxUsers = 2;
  Log log_{2, LogLevel::kError};
  std::optional<ipc::Registry> registry_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
};

TEST_F(SessionTest, StartGreetsWithHello) {
  std::string error;
  auto pair = ipc::Channel::CreatePair(&error);
  ASSERT_TRUE(pair);
  Session session(*registry_, pair->second, {0, 1}, log_, "test");
  session.Start();
  EXPECT_EQ(session.output().pending(),
            "HELLO chat-server 1.0; send JOIN <username>\n");
}

TEST_F(SessionTest, JoinIsAnsweredOnceTheBrokerCountsTheUserIn) {
  Endpoint& alice = Add();
  alice.session->OnInput("JOIN Alice\nPING after\n");
  // Registered at once, answered only after the broker's acknowledgement.
  EXPECT_TRUE(alice.session->registered());
  EXPECT_EQ(Take(alice), "");
  auto found = registry_->Lookup("alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->worker, alice.id);
  auto frame = NextFrame(alice);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, FrameKind::kJoined);
  EXPECT_EQ(frame->payload, "Alice");
  alice.session->OnFrame({FrameKind::kBroadcastDone, {}, 3, {}});
  EXPECT_EQ(Take(alice), "OK JOIN Alice\nPONG after\n");
}

TEST_F(SessionTest, MesgToAnotherUserBecomesASendToFrame) {
  Endpoint& alice = Add();
  Endpoint& bob = Add();
  Join(alice, "Alice");
  Join(bob, "Bob");
  alice.session->OnInput("MESG BOB hello there\n");
  EXPECT_EQ(Take(alice), "OK MESG Bob\n");
  auto frame = NextFrame(alice);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, FrameKind::kSendTo);
  EXPECT_EQ(frame->target, bob.id);
  EXPECT_EQ(frame->payload, "MESG Alice hello there\n");
}

TEST_F(SessionTest, AnswersAfterABcstWaitForItsAnswerButPushesDoNot) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  alice.session->OnInput("BCST hi\nPING after\nLIST\n");
  // The requests behind the BCST were handled; their answers are held.
  EXPECT_EQ(Take(alice), "");
  EXPECT_FALSE(alice.session->awaiting_broker());
  EXPECT_TRUE(alice.session->wants_input());
  auto frame = NextFrame(alice);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, FrameKind::kBroadcast);
  EXPECT_EQ(frame->payload, "BCST Alice hi\n");

  // Pushes still flow while the answer is outstanding.
  ipc::FrameView push{FrameKind::kDeliver, {}, 0, "JOINED Bob\n"};
  alice.session->OnFrame(push);
  EXPECT_EQ(Take(alice), "JOINED Bob\n");

  ipc::FrameView done{FrameKind::kBroadcastDone, {}, 7, {}};
  alice.session->OnFrame(done);
  EXPECT_EQ(Take(alice), "OK BCST 7\nPONG after\nLIST Alice\n");
  EXPECT_TRUE(alice.session->wants_input());
}

TEST_F(SessionTest, PipelinedBcstsGoToTheBrokerTogetherAndAreAnsweredInOrder) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  alice.session->OnInput("BCST one\nPING a\nBCST two\nBCST three\nPING b\n");
  for (const char* text : {"one", "two", "three"}) {
    auto frame = NextFrame(alice);
    ASSERT_TRUE(frame) << "no kBroadcast for " << text;
    EXPECT_EQ(frame->kind, FrameKind::kBroadcast);
    EXPECT_EQ(frame->payload, std::string("BCST Alice ") + text + "\n");
  }
  EXPECT_EQ(Take(alice), "");
  ipc::FrameView done1{FrameKind::kBroadcastDone, {}, 1, {}};
  ipc::FrameView done2{FrameKind::kBroadcastDone, {}, 2, {}};
  ipc::FrameView done3{FrameKind::kBroadcastDone, {}, 3, {}};
  alice.session->OnFrame(done1);
  EXPECT_EQ(Take(alice), "OK BCST 1\nPONG a\n");
  alice.session->OnFrame(done2);
  EXPECT_EQ(Take(alice), "OK BCST 2\n");
  alice.session->OnFrame(done3);
  EXPECT_EQ(Take(alice), "OK BCST 3\nPONG b\n");
}

TEST_F(SessionTest, QuitWaitsForTheAnswersOfEarlierBcsts) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  alice.session->OnInput("BCST bye all\nQUIT\nPING never\n");
  EXPECT_EQ(Take(alice), "");
  EXPECT_FALSE(alice.session->ended());
  EXPECT_TRUE(alice.session->awaiting_broker());
  auto frame = NextFrame(alice);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, FrameKind::kBroadcast);
  ipc::FrameView done{FrameKind::kBroadcastDone, {}, 4, {}};
  alice.session->OnFrame(done);
  EXPECT_EQ(Take(alice), "OK BCST 4\nOK QUIT\n");
  EXPECT_TRUE(alice.session->ended());
  EXPECT_EQ(alice.session->end_reason(), EndReason::kQuit);
  auto left = NextFrame(alice);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->kind, FrameKind::kLeft);
}

TEST_F(SessionTest, UnansweredBcstsAreBounded) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  std::string input;
  for (int i = 0; i < 100; ++i) input += "BCST " + std::to_string(i) + "\n";
  alice.session->OnInput(input);
  int queued = 0;
  while (NextFrame(alice)) ++queued;
  EXPECT_EQ(queued, 64) << "broadcasts sent before the first answer";
  EXPECT_TRUE(alice.session->awaiting_broker());
  EXPECT_FALSE(alice.session->wants_input());
  ipc::FrameView done{FrameKind::kBroadcastDone, {}, 0, {}};
  alice.session->OnFrame(done);
  EXPECT_EQ(Take(alice), "OK BCST 0\n");
  auto next = NextFrame(alice);
  ASSERT_TRUE(next) << "one answer frees room for one more broadcast";
  EXPECT_EQ(next->payload, "BCST Alice 64\n");
}

// A client that keeps broadcasting never lets the held answers run out: the
// answered front is moved out as it goes, and every answer keeps its place.
TEST_F(SessionTest, AnswersStayInOrderWhileBroadcastsKeepOverlapping) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  alice.session->OnInput("BCST 0\nPING 0\n");
  ASSERT_TRUE(NextFrame(alice));
  for (int i = 1; i <= 300; ++i) {
    std::string n = std::to_string(i);
    // Broadcast i goes out before broadcast i-1 is answered.
    alice.session->OnInput("BCST " + n + "\nPING " + n + "\n");
    auto frame = NextFrame(alice);
    ASSERT_TRUE(frame) << "no kBroadcast for " << i;
    ASSERT_EQ(frame->payload, "BCST Alice " + n + "\n");
    ipc::FrameView done{FrameKind::kBroadcastDone, {}, 5, {}};
    alice.session->OnFrame(done);
    ASSERT_EQ(Take(alice), "OK BCST 5\nPONG " + std::to_string(i - 1) + "\n")
        << "after broadcast " << i;
  }
  ipc::FrameView done{FrameKind::kBroadcastDone, {}, 5, {}};
  alice.session->OnFrame(done);
  EXPECT_EQ(Take(alice), "OK BCST 5\nPONG 300\n");
  EXPECT_FALSE(alice.session->awaiting_broker());
}

TEST_F(SessionTest, QuitLeavesTheRegistryAndAnnouncesLeft) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  alice.session->OnInput("QUIT\nPING ignored\n");
  EXPECT_EQ(Take(alice), "OK QUIT\n");
  EXPECT_TRUE(alice.session->ended());
  EXPECT_EQ(alice.session->end_reason(), EndReason::kQuit);
  EXPECT_FALSE(registry_->Lookup("Alice"));
  auto left = NextFrame(alice);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->kind, FrameKind::kLeft);
  EXPECT_EQ(left->payload, "Alice");
}

TEST_F(SessionTest, FullRegistryRefusesAndEndsTheSession) {
  Endpoint& a = Add();
  Endpoint& b = Add();
  Endpoint& c = Add();
  Join(a, "A");
  Join(b, "B");
  c.session->OnInput("JOIN C\nPING x\n");
  EXPECT_EQ(Take(c), "ERR Too Many Users\n");
  EXPECT_EQ(c.session->end_reason(), EndReason::kTooManyUsers);
}

TEST_F(SessionTest, JoinTimeoutOnlyEndsUnregisteredSessions) {
  Endpoint& idle = Add();
  Endpoint& joined = Add();
  Join(joined, "Alice");
  idle.session->OnJoinTimeout();
  joined.session->OnJoinTimeout();
  EXPECT_EQ(Take(idle), "BYE Join Timeout\n");
  EXPECT_EQ(idle.session->end_reason(), EndReason::kJoinTimeout);
  EXPECT_EQ(Take(joined), "");
  EXPECT_FALSE(joined.session->ended());
}

TEST_F(SessionTest, ShutdownFrameSaysByeAndLeaves) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  ipc::FrameView shutdown{FrameKind::kShutdown, {}, 0, "Server shutting down"};
  alice.session->OnFrame(shutdown);
  EXPECT_EQ(Take(alice), "BYE Server shutting down\n");
  EXPECT_EQ(alice.session->end_reason(), EndReason::kShutdown);
  EXPECT_FALSE(registry_->Lookup("Alice"));
}

TEST_F(SessionTest, SendQueueExceededFinishesTheCurrentLineThenErrs) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  OutputBuffer& output = alice.session->output();
  output.Append("first line\nsecond line\n");
  output.Consume(3);  // "fir" went out
  alice.session->OnSendQueueExceeded();
  EXPECT_EQ(output.pending(), "st line\nERR Send Queue Exceeded\n");
  EXPECT_EQ(alice.session->end_reason(), EndReason::kSlow);
  EXPECT_FALSE(registry_->Lookup("Alice"));
}

TEST_F(SessionTest, BrokerGoneSaysServerShuttingDown) {
  Endpoint& alice = Add();
  alice.session->OnBrokerGone();
  EXPECT_EQ(Take(alice), "BYE Server shutting down\n");
  EXPECT_EQ(alice.session->end_reason(), EndReason::kBrokerGone);
}

TEST_F(SessionTest, InputAfterTheEndIsIgnored) {
  Endpoint& alice = Add();
  alice.session->OnClientClosed();
  alice.session->OnInput("JOIN Alice\n");
  EXPECT_EQ(Take(alice), "");
  EXPECT_FALSE(registry_->Lookup("Alice"));
}

TEST_F(SessionTest, AnswersHeldBehindABcstCountAsOutputForThePause) {
  Endpoint& alice = Add();
  Join(alice, "Alice");
  alice.session->set_output_pause(10);
  alice.session->OnInput("BCST x\nPING one\nPING two\nPING three\n");
  // Nothing is written yet, but two held answers already fill the pause.
  EXPECT_EQ(Take(alice), "");
  EXPECT_FALSE(alice.session->wants_input());
  ipc::FrameView done{FrameKind::kBroadcastDone, {}, 0, {}};
  alice.session->OnFrame(done);
  EXPECT_EQ(Take(alice), "OK BCST 0\nPONG one\nPONG two\n");
  alice.session->Resume();
  EXPECT_EQ(Take(alice), "PONG three\n");
}

TEST_F(SessionTest, FullOutputHoldsFurtherLinesUntilItDrains) {
  Endpoint& alice = Add();
  alice.session->set_output_pause(10);
  alice.session->OnInput("PING one\nPING two\nPING three\n");
  EXPECT_EQ(alice.session->output().pending(), "PONG one\nPONG two\n");
  EXPECT_FALSE(alice.session->wants_input());
  Take(alice);
  alice.session->Resume();
  EXPECT_EQ(Take(alice), "PONG three\n");
  alice.session->Resume();
  EXPECT_TRUE(alice.session->wants_input());
}

TEST(OutputBufferTest, ConsumesFromTheFrontAcrossCompaction) {
  OutputBuffer buffer;
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    buffer.Append(line);
    expected += line;
  }
  std::string written;
  while (!buffer.empty()) {
    size_t n = std::min<size_t>(777, buffer.size());
    written += buffer.pending().substr(0, n);
    buffer.Consume(n);
  }
  EXPECT_EQ(written, expected);
}

// Bytes a worker wrote past the buffer (straight from a frame) that ended
// mid-line: the rest of that line, appended next, is kept by a drop.
TEST(OutputBufferTest, RestOfALineWrittenPastIsKeptByADrop) {
  OutputBuffer buffer;
  buffer.WrittenPast("MESG Bob hel");
  buffer.Append("lo\nMESG Bob next\n");
  buffer.DropAllButCurrentLine();
  EXPECT_EQ(buffer.pending(), "lo\n");
}

TEST(OutputBufferTest, WholeLinesWrittenPastLeaveNothingToKeep) {
  OutputBuffer buffer;
  buffer.WrittenPast("MESG Bob hello\n");
  buffer.Append("MESG Bob next\n");
  buffer.DropAllButCurrentLine();
  EXPECT_TRUE(buffer.empty());
}

// After a burst drains, the buffer still takes and gives lines as before
// (it gave its memory back; nothing else may change).
TEST(OutputBufferTest, DrainedBurstLeavesAWorkingBuffer) {
  OutputBuffer buffer;
  buffer.Append(std::string(100000, 'b') + "\n");
  buffer.Consume(buffer.size());
  EXPECT_TRUE(buffer.empty());
  buffer.Append("after\n");
  EXPECT_EQ(buffer.pending(), "after\n");
  buffer.Consume(3);
  EXPECT_EQ(buffer.pending(), "er\n");
}

TEST(OutputBufferTest, DropAtALineBoundaryKeepsNothing) {
  OutputBuffer buffer;
  buffer.Append("a\nb\n");
  buffer.Consume(2);
  buffer.DropAllButCurrentLine();
  EXPECT_TRUE(buffer.empty());
}

}  // namespace
}  // namespace chat::server
