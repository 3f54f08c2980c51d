// The relay's coalescing of announcements, on the broker's real data (a
// worker table, a registry, channel pairs) with the clock in the test's
// hands: which workers a turn flushes, and what each worker then receives.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "server/log.h"
#include "server/relay.h"
#include "server/worker_table.h"

namespace chat::server {
namespace {

using Clock = Relay::Clock;
using ipc::FrameKind;
using std::chrono::milliseconds;

constexpr milliseconds kMinWindow{5};
constexpr milliseconds kMaxWindow{500};
constexpr uint32_t kCapacity = 8;

class RelayCoalescingTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto registry = ipc::Registry::Create(kCapacity, kCapacity, &error);
    ASSERT_TRUE(registry) << error;
    registry_.emplace(std::move(*registry));
    relay_.emplace(table_, *registry_, log_, size_t{1} << 20, kMinWindow,
                   kMaxWindow);
  }

  // A live connection (as after the spawner's reply); registered as `name`
  // unless that is empty.
  uint32_t Add(const std::string& name) {
    std::optional<uint32_t> index = table_.Allocate();
    EXPECT_TRUE(index);
    std::string error;
    auto pair = ipc::Channel::CreatePair(&error);
    EXPECT_TRUE(pair) << error;
    WorkerEntry& entry = table_.at(*index);
    entry.channel.emplace(std::move(pair->first));
    entry.channel_readable = true;
    entry.channel_writable = true;
    worker_ends_.resize(kCapacity);
    worker_ends_[*index].emplace(std::move(pair->second));
    if (!name.empty()) table_.Register(*index, name);
    return *index;
  }

  void From(uint32_t index, FrameKind kind, std::string_view payload,
            uint32_t target = 0) {
    ipc::FrameView frame;
    frame.kind = kind;
    frame.payload = payload;
    if (kind == FrameKind::kSendTo) frame.target = table_.at(target).id;
    relay_->OnFrame(index, frame);
  }

  // One broker turn at `now`: the indices flushed, in order, sent as the
  // broker sends them. A pass of held pushes "takes" `pass_length`.
  std::vector<uint32_t> Turn(Clock::time_point now,
                             milliseconds pass_length = milliseconds{1}) {
    std::vector<uint32_t> flushed;
    bool pass = relay_->TakeDirty(now, &flushed);
    for (uint32_t index : flushed) {
      EXPECT_EQ(table_.at(index).channel->Flush(), ipc::ChannelStatus::kOk);
    }
    if (pass) relay_->PassDone(now, now + pass_length);
    return flushed;
  }

  // The payloads of the kDeliver frames waiting at worker `index`, one
  // string per frame; other frames are named by kind.
  std::vector<std::string> Received(uint32_t index) {
    std::vector<std::string> frames;
    for (int i = 0; i < 100; ++i) {
      ipc::Frame frame;
      if (worker_ends_[index]->Receive(&frame) != ipc::ChannelStatus::kOk) {
        break;
      }
      frames.push_back(frame.kind == FrameKind::kDeliver
                           ? frame.payload
                           : "kind " +
                                 std::to_string(static_cast<int>(frame.kind)));
    }
    return frames;
  }

  const Clock::time_point t0_ = Clock::now();
  Log log_{-1, LogLevel::kError};
  WorkerTable table_{kCapacity};
  std::optional<ipc::Registry> registry_;
  std::optional<Relay> relay_;
  std::vector<std::optional<ipc::Channel>> worker_ends_;
};

TEST_F(RelayCoalescingTest, FirstAnnouncementGoesAtOnceNextOnesWaitForTheGap) {
  uint32_t alice = Add("Alice");
  uint32_t bob = Add("");
  uint32_t carol = Add("");
  uint32_t dave = Add("");

  From(bob, FrameKind::kJoined, "Bob");
  EXPECT_EQ(Turn(t0_, milliseconds{1}), (std::vector<uint32_t>{bob, alice}));
  EXPECT_EQ(Received(alice), std::vector<std::string>{"JOINED Bob\n"});

  // Until the gap after the last pass ends, only the joiners' answers go;
  // the announcements wait together.
  From(carol, FrameKind::kJoined, "Carol");
  EXPECT_EQ(Turn(t0_ + milliseconds{2}), std::vector<uint32_t>{carol});
  From(dave, FrameKind::kJoined, "Dave");
  EXPECT_EQ(Turn(t0_ + milliseconds{3}), std::vector<uint32_t>{dave});
  EXPECT_EQ(relay_->held_due(), t0_ + milliseconds{1} + kMinWindow);
  EXPECT_TRUE(Received(alice).empty());

  EXPECT_EQ(Turn(t0_ + milliseconds{1} + kMinWindow),
            (std::vector<uint32_t>{alice, bob, carol}));
  EXPECT_EQ(Received(alice),
            std::vector<std::string>{"JOINED Carol\nJOINED Dave\n"});
  EXPECT_EQ(Received(bob), (std::vector<std::string>{
                               "kind 4", "JOINED Carol\nJOINED Dave\n"}));
  EXPECT_EQ(Received(carol),
            (std::vector<std::string>{"kind 4", "JOINED Dave\n"}));
  EXPECT_EQ(relay_->held_due(), std::nullopt);
}

TEST_F(RelayCoalescingTest, BroadcastGoesAtOnceAndTakesHeldAnnouncementsAlong) {
  uint32_t alice = Add("Alice");
  uint32_t bob = Add("Bob");
  uint32_t carol = Add("");
  From(alice, FrameKind::kBroadcast, "BCST Alice one\n");
  EXPECT_EQ(Turn(t0_), (std::vector<uint32_t>{bob, alice}));
  EXPECT_EQ(Received(bob), std::vector<std::string>{"BCST Alice one\n"});

  // A pass of announcements "takes" 100 ms, so the next waits 100 ms...
  From(carol, FrameKind::kJoined, "Carol");
  Turn(t0_ + milliseconds{1}, milliseconds{100});
  Received(alice);
  Received(bob);
  uint32_t dave = Add("");
  From(dave, FrameKind::kJoined, "Dave");
  Turn(t0_ + milliseconds{102});
  EXPECT_EQ(relay_->held_due(), t0_ + milliseconds{201});
  // ...but a broadcast does not wait, and takes the JOINED along, in order.
  From(alice, FrameKind::kBroadcast, "BCST Alice two\n");
  EXPECT_EQ(Turn(t0_ + milliseconds{103}),
            (std::vector<uint32_t>{bob, carol, dave, alice}));
  EXPECT_EQ(Received(bob),
            std::vector<std::string>{"JOINED Dave\nBCST Alice two\n"});
  EXPECT_EQ(Received(dave),
            (std::vector<std::string>{"kind 4", "BCST Alice two\n"}));
}

TEST_F(RelayCoalescingTest, MessageTakesHeldAnnouncementsAlongInOrder) {
  uint32_t alice = Add("Alice");
  uint32_t bob = Add("Bob");
  uint32_t carol = Add("");
  uint32_t dave = Add("");
  From(carol, FrameKind::kJoined, "Carol");
  Turn(t0_);
  Received(alice);
  Received(bob);

  From(dave, FrameKind::kJoined, "Dave");
  From(alice, FrameKind::kSendTo, "MESG Alice private\n", bob);
  EXPECT_EQ(Turn(t0_ + milliseconds{1}), (std::vector<uint32_t>{dave, bob}));
  EXPECT_EQ(Received(bob),
            std::vector<std::string>{"JOINED Dave\nMESG Alice private\n"});
  // The others' copies still wait for the gap, and nothing goes twice.
  EXPECT_TRUE(Received(alice).empty());
  EXPECT_EQ(Turn(t0_ + milliseconds{1} + kMinWindow),
            (std::vector<uint32_t>{alice, carol}));
  EXPECT_EQ(Received(alice), std::vector<std::string>{"JOINED Dave\n"});
  EXPECT_TRUE(Received(bob).empty());
}

TEST_F(RelayCoalescingTest, AnnouncementGapIsBoundedBothWays) {
  Add("Alice");
  uint32_t bob = Add("");
  uint32_t carol = Add("");
  // A pass of no measurable length still leaves the minimum gap...
  From(bob, FrameKind::kJoined, "Bob");
  Turn(t0_, milliseconds{0});
  From(carol, FrameKind::kJoined, "Carol");
  Turn(t0_ + milliseconds{1});
  EXPECT_EQ(relay_->held_due(), t0_ + kMinWindow);
  // ...and a very long one leaves no more than the maximum.
  Turn(t0_ + kMinWindow, milliseconds{5000});
  From(bob, FrameKind::kLeft, "Bob");
  EXPECT_EQ(relay_->held_due(),
            t0_ + kMinWindow + milliseconds{5000} + kMaxWindow);
}

TEST_F(RelayCoalescingTest, AnnouncementsSentEarlyLeaveNoEmptyPass) {
  uint32_t alice = Add("Alice");
  uint32_t bob = Add("Bob");
  uint32_t carol = Add("");
  uint32_t dave = Add("");
  From(carol, FrameKind::kJoined, "Carol");
  Turn(t0_, milliseconds{40});
  From(dave, FrameKind::kJoined, "Dave");
  // Private messages take the held JOINED Dave to everyone early...
  From(dave, FrameKind::kSendTo, "MESG Dave hi\n", alice);
  From(dave, FrameKind::kSendTo, "MESG Dave hi\n", bob);
  From(dave, FrameKind::kSendTo, "MESG Dave hi\n", carol);
  EXPECT_EQ(Turn(t0_ + milliseconds{41}),
            (std::vector<uint32_t>{dave, alice, bob, carol}));
  // ...so when the gap ends nothing is left to send, and that is no pass:
  // the gap the 40 ms pass set still holds for the next announcement.
  EXPECT_TRUE(Turn(t0_ + milliseconds{80}).empty());
  EXPECT_EQ(relay_->held_due(), std::nullopt);
  uint32_t eve = Add("");
  From(eve, FrameKind::kJoined, "Eve");
  EXPECT_EQ(relay_->held_due(), t0_ + milliseconds{80});
  EXPECT_EQ(Received(alice),
            (std::vector<std::string>{"JOINED Carol\n",
                                      "JOINED Dave\nMESG Dave hi\n"}));
}

}  // namespace
}  // namespace chat::server
