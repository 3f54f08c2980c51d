// Channel tests: frames cross a real fork() intact, are merged only where
// their meaning allows, survive a full socket, and a dead or misbehaving peer
// is reported as a status, never as a crash or a SIGPIPE.
#include "ipc/channel.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fork_support.h"
#include "ipc/unique_fd.h"

namespace chat::ipc {
namespace {

using fork_support::Child;
using fork_support::Deadline;
using fork_support::DescribeStatus;
using fork_support::ExitedWith;
using fork_support::MakePipe;
using fork_support::Pipe;
using fork_support::RemainingMs;
using fork_support::StatusName;
using fork_support::WaitFor;
using fork_support::WriteByte;

std::string Describe(const Frame& frame) {
  std::string payload = frame.payload.size() <= 40
                            ? frame.payload
                            : frame.payload.substr(0, 40) + "...";
  return "{kind " + std::to_string(static_cast<int>(frame.kind)) + ", target " +
         std::to_string(frame.target.connection) + "/" +
         std::to_string(frame.target.generation) + ", count " +
         std::to_string(frame.count) + ", " +
         std::to_string(frame.payload.size()) + " bytes \"" + payload + "\"}";
}

testing::AssertionResult SameFrame(const Frame& expected, const Frame& got) {
  if (expected.kind == got.kind && expected.target == got.target &&
      expected.count == got.count && expected.payload == got.payload) {
    return testing::AssertionSuccess();
  }
  return testing::AssertionFailure()
         << "expected " << Describe(expected) << ", got " << Describe(got);
}

// Receive, waiting up to kTimeoutMs for a frame; kWouldBlock means timeout.
ChannelStatus ReceiveWithin(Channel& channel, Frame* frame) {
  auto deadline = Deadline();
  for (;;) {
    ChannelStatus status = channel.Receive(frame);
    if (status != ChannelStatus::kWouldBlock) return status;
    if (!WaitFor(channel.fd(), POLLIN, deadline)) return status;
  }
}

// Flush, waiting up to kTimeoutMs for room; kWouldBlock means timeout.
ChannelStatus FlushWithin(Channel& channel) {
  auto deadline = Deadline();
  for (;;) {
    ChannelStatus status = channel.Flush();
    if (status != ChannelStatus::kWouldBlock) return status;
    if (!WaitFor(channel.fd(), POLLOUT, deadline)) return status;
  }
}

// Reads every frame already in the socket.
std::vector<Frame> DrainNow(Channel& channel) {
  std::vector<Frame> frames;
  Frame frame;
  while (channel.Receive(&frame) == ChannelStatus::kOk) frames.push_back(frame);
  return frames;
}

std::pair<Channel, Channel> MakePair() {
  std::string error;
  auto pair = Channel::CreatePair(&error);
  if (!pair) {
    ADD_FAILURE() << "CreatePair failed: " << error;
    std::abort();
  }
  return std::move(*pair);
}

struct Forked {
  Child child;
  Channel channel;  // the parent's end
};

// Runs `body` in a forked child on one end of a new pair; the child exits with
// its return value. The parent keeps only the other end, so the child's exit
// closes the channel.
Forked ForkWithChannel(const std::function<int(Channel&)>& body) {
  auto [parent_end, child_end] = MakePair();
  Child child = Child::Start([&] {
    parent_end = Channel(UniqueFd());
    return body(child_end);
  });
  child_end = Channel(UniqueFd());
  return Forked{std::move(child), std::move(parent_end)};
}

// Child body: sends back every frame it gets, until the parent closes.
int EchoFrames(Channel& channel) {
  Frame frame;
  for (;;) {
    ChannelStatus status = ReceiveWithin(channel, &frame);
    if (status == ChannelStatus::kClosed) return 0;
    if (status != ChannelStatus::kOk) return 10 + static_cast<int>(status);
    channel.Queue(frame.kind, frame.payload, frame.target, frame.count);
    if (FlushWithin(channel) != ChannelStatus::kOk) return 20;
  }
}

// Sends `frames` to an echoing child and expects each back unchanged.
void ExpectEchoed(const std::vector<Frame>& frames) {
  Forked forked = ForkWithChannel(EchoFrames);
  for (const Frame& frame : frames) {
    forked.channel.Queue(frame.kind, frame.payload, frame.target, frame.count);
  }
  ASSERT_EQ(FlushWithin(forked.channel), ChannelStatus::kOk);
  for (const Frame& expected : frames) {
    Frame got;
    ChannelStatus status = ReceiveWithin(forked.channel, &got);
    ASSERT_EQ(status, ChannelStatus::kOk)
        << "waiting for " << Describe(expected) << ": " << StatusName(status);
    EXPECT_TRUE(SameFrame(expected, got));
  }
  forked.channel = Channel(UniqueFd());
  std::optional<int> status = forked.child.Wait();
  EXPECT_TRUE(ExitedWith(status, 0))
      << "echo child: expected exit 0, got " << DescribeStatus(status);
}

std::string Pattern(size_t size, unsigned seed) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<char>((i * 31 + seed) % 251);
  }
  return bytes;
}

TEST(ChannelTest, CreatePairIsNonBlockingCloseOnExecSeqpacket) {
  auto [a, b] = MakePair();
  for (int fd : {a.fd(), b.fd()}) {
    EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK) << "fd " << fd;
    EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC) << "fd " << fd;
    int type = 0;
    socklen_t length = sizeof type;
    ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length), 0);
    EXPECT_EQ(type, SOCK_SEQPACKET);
  }
}

TEST(ChannelTest, EveryFrameKindRoundTripsAcrossFork) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  ExpectEchoed({
      {FrameKind::kDeliver, {}, 0, "* alice has joined\n"},
      {FrameKind::kSendTo, {7, 3}, 0, "* bob: hi\n"},
      {FrameKind::kBroadcast, {}, 0, "* bob: hello all\n"},
      {FrameKind::kBroadcastDone, {}, 42, ""},
      {FrameKind::kJoined, {}, 0, "bob"},
      {FrameKind::kShutdown, {}, 0, "Server shutting down"},
      {FrameKind::kLeft, {}, 0, "bob"},
      {FrameKind::kSendTo, {0xffffffff, 0xfffffffe}, 0, all_bytes},
      {FrameKind::kBroadcastDone, {}, 0xffffffff, ""},
      {FrameKind::kDeliver, {}, 0, ""},
  });
}

TEST(ChannelTest, BiggestFramesPassWhole) {
  std::string line = "MESG bob " + std::string(4096 - 10, 'x') + "\n";
  ASSERT_EQ(line.size(), 4096u);
  ExpectEchoed({
      {FrameKind::kSendTo, {1, 1}, 0, line},
      {FrameKind::kDeliver, {}, 0, Pattern(kMaxFramePayload, 1)},
      {FrameKind::kBroadcast, {}, 0, Pattern(kMaxFramePayload, 2)},
      {FrameKind::kSendTo, {2, 5}, 0, Pattern(kMaxFramePayload, 3)},
  });
}

TEST(ChannelTest, ReceiveIntoViewNeedsNoCopy) {
  auto [a, b] = MakePair();
  a.Queue(FrameKind::kSendTo, "first\n", {4, 9});
  a.Queue(FrameKind::kBroadcastDone, "", {}, 3);
  ASSERT_EQ(a.Flush(), ChannelStatus::kOk);
  FrameView view;
  ASSERT_EQ(b.Receive(&view), ChannelStatus::kOk);
  EXPECT_EQ(view.kind, FrameKind::kSendTo);
  EXPECT_EQ(view.target, (WorkerId{4, 9}));
  EXPECT_EQ(view.payload, "first\n");
  ASSERT_EQ(b.Receive(&view), ChannelStatus::kOk);
  EXPECT_EQ(view.kind, FrameKind::kBroadcastDone);
  EXPECT_EQ(view.count, 3u);
  EXPECT_TRUE(view.payload.empty());
  EXPECT_EQ(b.Receive(&view), ChannelStatus::kWouldBlock);
}

// A caller's own buffer: the frame lands there, page-aligned if the buffer
// is, and the process-wide buffer is not touched.
TEST(ChannelTest, ReceiveIntoTheCallersBuffer) {
  auto [a, b] = MakePair();
  a.Queue(FrameKind::kDeliver, "into mine\n");
  a.Queue(FrameKind::kDeliver, Pattern(kMaxFramePayload, 4));
  ASSERT_EQ(a.Flush(), ChannelStatus::kOk);
  std::vector<char> mine(kReceiveBufferSize);
  FrameView view;
  ASSERT_EQ(b.Receive(&view, mine), ChannelStatus::kOk);
  EXPECT_EQ(view.payload, "into mine\n");
  EXPECT_EQ(view.payload.data(), mine.data() + kFrameHeaderSize)
      << "the payload should lie in the caller's buffer";
  ASSERT_EQ(b.Receive(&view, mine), ChannelStatus::kOk);
  EXPECT_EQ(view.payload, Pattern(kMaxFramePayload, 4));
  EXPECT_EQ(b.Receive(&view, mine), ChannelStatus::kWouldBlock);
}

TEST(ChannelDeathTest, ReceiveBufferTooSmallIsACallerBug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto [a, b] = MakePair();
  std::vector<char> small(kReceiveBufferSize - 1);
  FrameView view;
  EXPECT_DEATH(b.Receive(&view, small), "kReceiveBufferSize");
}

// Frames queued while older ones are still waiting (and some already sent)
// go after them, merged only with the newest; the queue's front is moved out
// as it is sent without disturbing that order.
TEST(ChannelTest, FramesQueuedBetweenPartialFlushesKeepTheirOrder) {
  auto [a, b] = MakePair();
  std::vector<std::string> sent;
  std::string received;
  auto drain = [&](int frames) {
    Frame frame;
    for (int i = 0; i < frames && b.Receive(&frame) == ChannelStatus::kOk;
         ++i) {
      received += frame.payload;
    }
  };
  // kSendTo to alternating targets: never merged, one frame each, so the
  // queue holds many entries and its front is moved out repeatedly.
  for (int round = 0; round < 40; ++round) {
    for (int i = 0; i < 50; ++i) {
      std::string line = "r" + std::to_string(round) + " i" +
                         std::to_string(i) + " " + std::string(2000, 'p') +
                         "\n";
      a.Queue(FrameKind::kSendTo, line, {static_cast<uint32_t>(i % 2), 1});
      sent.push_back(line);
    }
    ChannelStatus status = a.Flush();
    ASSERT_TRUE(status == ChannelStatus::kOk ||
                status == ChannelStatus::kWouldBlock)
        << StatusName(status);
    drain(30);
  }
  for (int i = 0; i < 10000 && a.has_queued(); ++i) {
    ASSERT_NE(a.Flush(), ChannelStatus::kError);
    drain(1000);
  }
  drain(100000);
  EXPECT_FALSE(a.has_queued());
  EXPECT_EQ(a.queued_bytes(), 0u);
  std::string expected;
  for (const auto& line : sent) expected += line;
  ASSERT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected) << "the lines arrived out of order";
}

TEST(ChannelTest, MovedFromChannelHasNothingQueued) {
  auto [a, b] = MakePair();
  a.Queue(FrameKind::kDeliver, "kept\n");
  Channel moved(std::move(a));
  EXPECT_FALSE(a.has_queued());
  EXPECT_EQ(a.queued_bytes(), 0u);
  EXPECT_TRUE(moved.has_queued());
  ASSERT_EQ(moved.Flush(), ChannelStatus::kOk);
  Frame frame;
  ASSERT_EQ(b.Receive(&frame), ChannelStatus::kOk);
  EXPECT_EQ(frame.payload, "kept\n");
}

// The receive buffer is one per process: a view must be used (or copied)
// before the next Receive on any channel, and copies stay intact after it.
TEST(ChannelTest, FramesCopiedFromInterleavedChannelsStayIntact) {
  auto [a, b] = MakePair();
  auto [c, d] = MakePair();
  a.Queue(FrameKind::kDeliver, Pattern(kMaxFramePayload, 7));
  c.Queue(FrameKind::kDeliver, "short\n");
  ASSERT_EQ(a.Flush(), ChannelStatus::kOk);
  ASSERT_EQ(c.Flush(), ChannelStatus::kOk);
  Frame from_b, from_d;
  ASSERT_EQ(b.Receive(&from_b), ChannelStatus::kOk);
  ASSERT_EQ(d.Receive(&from_d), ChannelStatus::kOk);
  EXPECT_EQ(from_b.payload, Pattern(kMaxFramePayload, 7))
      << "the first frame changed when another channel received";
  EXPECT_EQ(from_d.payload, "short\n");
}

TEST(ChannelTest, ManySmallDeliveriesAreMergedInOrder) {
  auto [a, b] = MakePair();
  std::string sent;
  constexpr int kLines = 20000;  // about 3.5 maximal frames of lines
  for (int i = 0; i < kLines; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    a.Queue(FrameKind::kDeliver, line);
    sent += line;
  }
  size_t expected_frames =
      (sent.size() + kMaxFramePayload - 1) / kMaxFramePayload;
  // Lines are never split, so a frame may end a line short of the maximum.
  EXPECT_LE(a.queued_bytes(), sent.size() + (expected_frames + 1) * 16);
  EXPECT_GE(a.queued_bytes(), sent.size() + expected_frames * 16);

  std::string received;
  size_t frames = 0;
  Frame frame;
  for (;;) {
    ChannelStatus flushed = a.Flush();
    while (b.Receive(&frame) == ChannelStatus::kOk) {
      ++frames;
      EXPECT_EQ(frame.kind, FrameKind::kDeliver);
      EXPECT_LE(frame.payload.size(), kMaxFramePayload);
      EXPECT_EQ(frame.payload.back(), '\n') << "a line was split";
      received += frame.payload;
    }
    if (flushed == ChannelStatus::kOk) break;
    ASSERT_EQ(flushed, ChannelStatus::kWouldBlock);
  }
  EXPECT_LE(frames, expected_frames + 1)
      << kLines << " Queue() calls should have been packed";
  EXPECT_EQ(received, sent);
  EXPECT_FALSE(a.has_queued());
  EXPECT_EQ(a.queued_bytes(), 0u);
}

TEST(ChannelTest, MergingStopsAtMaximumPayload) {
  auto [a, b] = MakePair();
  a.Queue(FrameKind::kDeliver, std::string(kMaxFramePayload - 10, 'a'));
  a.Queue(FrameKind::kDeliver, std::string(10, 'b'));  // fits exactly
  a.Queue(FrameKind::kDeliver, std::string(1, 'c'));   // one byte too many
  a.Queue(FrameKind::kDeliver, std::string(kMaxFramePayload - 1, 'd'));
  ASSERT_EQ(a.Flush(), ChannelStatus::kOk);
  std::vector<Frame> frames = DrainNow(b);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload,
            std::string(kMaxFramePayload - 10, 'a') + std::string(10, 'b'));
  EXPECT_EQ(frames[1].payload, "c" + std::string(kMaxFramePayload - 1, 'd'));
}

TEST(ChannelTest, SendToIsMergedOnlyForTheSameTarget) {
  auto [a, b] = MakePair();
  a.Queue(FrameKind::kSendTo, "1\n", {1, 1});
  a.Queue(FrameKind::kSendTo, "2\n", {1, 1});
  a.Queue(FrameKind::kSendTo, "3\n", {2, 1});
  a.Queue(FrameKind::kSendTo, "4\n", {2, 2});  // same index, next generation
  a.Queue(FrameKind::kSendTo, "5\n", {1, 1});
  ASSERT_EQ(a.Flush(), ChannelStatus::kOk);
  std::vector<Frame> frames = DrainNow(b);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_TRUE(SameFrame({FrameKind::kSendTo, {1, 1}, 0, "1\n2\n"}, frames[0]));
  EXPECT_TRUE(SameFrame({FrameKind::kSendTo, {2, 1}, 0, "3\n"}, frames[1]));
  EXPECT_TRUE(SameFrame({FrameKind::kSendTo, {2, 2}, 0, "4\n"}, frames[2]));
  EXPECT_TRUE(SameFrame({FrameKind::kSendTo, {1, 1}, 0, "5\n"}, frames[3]));
}

TEST(ChannelTest, OtherKindsAreNeverMerged) {
  auto [a, b] = MakePair();
  std::vector<Frame> sent = {
      {FrameKind::kBroadcast, {}, 0, "x\n"},
      {FrameKind::kBroadcast, {}, 0, "y\n"},  // each gets its own answer
      {FrameKind::kBroadcastDone, {}, 1, ""},
      {FrameKind::kBroadcastDone, {}, 2, ""},
      {FrameKind::kJoined, {}, 0, "ann"},
      {FrameKind::kJoined, {}, 0, "bob"},
      {FrameKind::kDeliver, {}, 0, "z\n"},
      {FrameKind::kSendTo, {0, 0}, 0, "w\n"},
      {FrameKind::kDeliver, {}, 0, "v\n"},
      {FrameKind::kShutdown, {}, 0, "a"},
      {FrameKind::kShutdown, {}, 0, "b"},
  };
  for (const Frame& f : sent) a.Queue(f.kind, f.payload, f.target, f.count);
  ASSERT_EQ(a.Flush(), ChannelStatus::kOk);
  std::vector<Frame> frames = DrainNow(b);
  ASSERT_EQ(frames.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_TRUE(SameFrame(sent[i], frames[i])) << "frame " << i;
  }
}

TEST(ChannelTest, QueuedBytesCountHeadersAndPayloads) {
  auto [a, b] = MakePair();
  EXPECT_FALSE(a.has_queued());
  a.Queue(FrameKind::kDeliver, "abc\n");
  EXPECT_EQ(a.queued_bytes(), 16u + 4);
  a.Queue(FrameKind::kDeliver, "de\n");  // merged: no second header
  EXPECT_EQ(a.queued_bytes(), 16u + 7);
  a.Queue(FrameKind::kJoined, "ann");
  EXPECT_EQ(a.queued_bytes(), 16u + 7 + 16 + 3);
  EXPECT_TRUE(a.has_queued());
  ASSERT_EQ(a.Flush(), ChannelStatus::kOk);
  EXPECT_EQ(a.queued_bytes(), 0u);
  EXPECT_FALSE(a.has_queued());
}

TEST(ChannelDeathTest, OversizedPayloadIsACallerBug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto [a, b] = MakePair();
  std::string too_big(kMaxFramePayload + 1, 'x');
  EXPECT_DEATH(a.Queue(FrameKind::kDeliver, too_big), "kMaxFramePayload");
}

// The stream the full-socket test sends: record i, as (kind, target, line).
struct Record {
  FrameKind kind;
  WorkerId target;
  std::string line;
};

Record RecordAt(uint32_t i) {
  std::string line = "n=" + std::to_string(i) + " " +
                     std::string(i % 300, static_cast<char>('a' + i % 26)) +
                     "\n";
  if (i % 97 == 0) return {FrameKind::kSendTo, {i % 5, i / 5}, line};
  return {FrameKind::kDeliver, {}, line};
}

// Child body for the full-socket test: waits for the go byte, then reads the
// stream up to a kShutdown frame and checks it line by line against RecordAt.
// The verdict goes back as one kDeliver frame: "ok <records>" or the first
// difference.
int DrainAndCheck(Channel& channel, int go_fd) {
  auto deadline = Deadline();
  if (!WaitFor(go_fd, POLLIN, deadline)) return 2;
  std::string verdict;
  uint32_t next = 0;
  Frame frame;
  while (verdict.empty()) {
    ChannelStatus status = ReceiveWithin(channel, &frame);
    if (status != ChannelStatus::kOk) {
      verdict = std::string("receive: ") + StatusName(status);
      break;
    }
    if (frame.kind == FrameKind::kShutdown) {
      verdict = "ok " + std::to_string(next);
      break;
    }
    size_t start = 0;
    while (start < frame.payload.size() && verdict.empty()) {
      size_t end = frame.payload.find('\n', start);
      if (end == std::string::npos) end = frame.payload.size() - 1;
      std::string line = frame.payload.substr(start, end + 1 - start);
      start = end + 1;
      Record want = RecordAt(next);
      if (want.kind != frame.kind || want.target != frame.target ||
          want.line != line) {
        verdict = "record " + std::to_string(next) + ": expected kind " +
                  std::to_string(static_cast<int>(want.kind)) + " line " +
                  want.line.substr(0, 20) + ", got " + Describe(frame) +
                  " line " + line.substr(0, 20);
      }
      ++next;
    }
  }
  channel.Queue(FrameKind::kDeliver, verdict);
  return FlushWithin(channel) == ChannelStatus::kOk ? 0 : 3;
}

TEST(ChannelTest, FullSocketKeepsFramesQueuedAndLosesNothing) {
  Pipe go = MakePipe();
  Forked forked = ForkWithChannel([&](Channel& channel) {
    go.write.Reset();
    return DrainAndCheck(channel, go.read.get());
  });
  go.read.Reset();
  Channel& channel = forked.channel;

  // Queue until the socket is full (bounded: a few MiB should do it).
  uint32_t records = 0;
  bool full = false;
  while (!full && records < 1000000) {
    Record record = RecordAt(records++);
    channel.Queue(record.kind, record.line, record.target);
    if (records % 16 == 0) {
      ChannelStatus status = channel.Flush();
      ASSERT_NE(status, ChannelStatus::kClosed);
      ASSERT_NE(status, ChannelStatus::kError);
      full = status == ChannelStatus::kWouldBlock;
    }
  }
  ASSERT_TRUE(full) << "the socket never filled after " << records
                    << " records";
  EXPECT_TRUE(channel.has_queued());
  EXPECT_GT(channel.queued_bytes(), 0u);
  EXPECT_EQ(channel.Flush(), ChannelStatus::kWouldBlock)
      << "nothing was read, so there should still be no room";

  // More frames behind the stuck ones, then the end marker.
  for (int i = 0; i < 3000; ++i) {
    Record record = RecordAt(records++);
    channel.Queue(record.kind, record.line, record.target);
  }
  channel.Queue(FrameKind::kShutdown, "end");

  ASSERT_TRUE(WriteByte(go.write.get(), 'g'));
  ASSERT_EQ(FlushWithin(channel), ChannelStatus::kOk);
  EXPECT_FALSE(channel.has_queued());
  EXPECT_EQ(channel.queued_bytes(), 0u);

  Frame verdict;
  ASSERT_EQ(ReceiveWithin(channel, &verdict), ChannelStatus::kOk);
  EXPECT_EQ(verdict.payload, "ok " + std::to_string(records));
  std::optional<int> status = forked.child.Wait();
  EXPECT_TRUE(ExitedWith(status, 0))
      << "draining child: expected exit 0, got " << DescribeStatus(status);
}

TEST(ChannelTest, PeerExitIsReportedClosed) {
  Forked forked = ForkWithChannel([](Channel&) { return 0; });
  Frame frame;
  EXPECT_EQ(ReceiveWithin(forked.channel, &frame), ChannelStatus::kClosed);
  EXPECT_EQ(forked.channel.Receive(&frame), ChannelStatus::kClosed)
      << "end of file should stay reported";
  forked.channel.Queue(FrameKind::kDeliver, "anyone?\n");
  EXPECT_EQ(forked.channel.Flush(), ChannelStatus::kClosed);
  EXPECT_TRUE(forked.channel.has_queued());
  EXPECT_TRUE(ExitedWith(forked.child.Wait(), 0));
}

TEST(ChannelTest, KilledPeerWithUnreadFramesIsReportedClosed) {
  Forked forked = ForkWithChannel([](Channel& channel) {
    // Never reads: waits to be killed, at most kTimeoutMs.
    auto deadline = Deadline();
    pollfd nothing = {-1, 0, 0};
    while (poll(&nothing, 1, RemainingMs(deadline)) != 0) {
    }
    (void)channel;
    return 1;
  });
  forked.channel.Queue(FrameKind::kDeliver, "never read\n");
  ASSERT_EQ(forked.channel.Flush(), ChannelStatus::kOk);
  int status = forked.child.Kill();
  ASSERT_TRUE(WIFSIGNALED(status))
      << "expected the child killed, got " << DescribeStatus(status);

  Frame frame;
  EXPECT_EQ(forked.channel.Receive(&frame), ChannelStatus::kClosed);
  forked.channel.Queue(FrameKind::kDeliver, "anyone?\n");
  EXPECT_EQ(forked.channel.Flush(), ChannelStatus::kClosed);
}

TEST(ChannelTest, FramesSentBeforePeerDiedAreStillReceived) {
  // The child dies with a frame of ours unread, which leaves ECONNRESET
  // pending on our end ahead of the frames it sent.
  Forked forked = ForkWithChannel([](Channel& channel) {
    auto deadline = Deadline();
    if (!WaitFor(channel.fd(), POLLIN, deadline)) return 2;
    channel.Queue(FrameKind::kJoined, "ann");
    channel.Queue(FrameKind::kSendTo, "last words\n", {3, 4});
    channel.Queue(FrameKind::kBroadcast, "bye all\n");
    return FlushWithin(channel) == ChannelStatus::kOk ? 0 : 3;
  });
  forked.channel.Queue(FrameKind::kShutdown, "unread");
  ASSERT_EQ(forked.channel.Flush(), ChannelStatus::kOk);
  std::optional<int> status = forked.child.Wait();
  ASSERT_TRUE(ExitedWith(status, 0))
      << "child: expected exit 0, got " << DescribeStatus(status);

  std::vector<Frame> expected = {
      {FrameKind::kJoined, {}, 0, "ann"},
      {FrameKind::kSendTo, {3, 4}, 0, "last words\n"},
      {FrameKind::kBroadcast, {}, 0, "bye all\n"},
  };
  for (const Frame& want : expected) {
    Frame got;
    ChannelStatus received = forked.channel.Receive(&got);
    ASSERT_EQ(received, ChannelStatus::kOk)
        << "expected " << Describe(want) << ", got " << StatusName(received);
    EXPECT_TRUE(SameFrame(want, got));
  }
  Frame frame;
  EXPECT_EQ(forked.channel.Receive(&frame), ChannelStatus::kClosed);
}

TEST(ChannelTest, FlushToClosedPeerRaisesNoSigpipe) {
  // The test binary ignores SIGPIPE; this child restores the default, so a
  // SIGPIPE would kill it instead of going unnoticed.
  Forked forked = ForkWithChannel([](Channel& channel) {
    signal(SIGPIPE, SIG_DFL);
    Frame frame;
    if (ReceiveWithin(channel, &frame) != ChannelStatus::kClosed) return 2;
    channel.Queue(FrameKind::kSendTo, "to nobody\n", {1, 2});
    return channel.Flush() == ChannelStatus::kClosed ? 0 : 3;
  });
  forked.channel = Channel(UniqueFd());
  std::optional<int> status = forked.child.Wait();
  EXPECT_TRUE(ExitedWith(status, 0))
      << "expected exit 0 (Flush said kClosed), got " << DescribeStatus(status);
}

// Sends raw bytes past the framing, as a corrupt peer would.
void SendRaw(const Channel& channel, const std::string& bytes) {
  ASSERT_EQ(send(channel.fd(), bytes.data(), bytes.size(), MSG_DONTWAIT),
            static_cast<ssize_t>(bytes.size()))
      << strerror(errno);
}

std::string Header(uint8_t kind, uint8_t reserved = 0) {
  std::string header(16, '\0');
  header[0] = static_cast<char>(kind);
  header[2] = static_cast<char>(reserved);
  return header;
}

TEST(ChannelTest, MalformedFramesAreErrorsAndConsumed) {
  auto [a, b] = MakePair();
  struct Case {
    const char* what;
    std::string bytes;
  } cases[] = {
      {"3 bytes", "abc"},
      {"15 bytes", std::string(15, '\1')},
      {"kind 0", Header(0)},
      {"kind 200 (unused)", Header(200) + "x"},
      {"kind 255", Header(255)},
      {"reserved byte set", Header(1, 1) + "x\n"},
      {"payload one byte over",
       Header(1) + std::string(kMaxFramePayload + 1, 'x')},
  };
  for (const Case& c : cases) {
    SendRaw(a, c.bytes);
    SendRaw(a, Header(static_cast<uint8_t>(FrameKind::kDeliver)) + "fine\n");
    Frame frame;
    EXPECT_EQ(b.Receive(&frame), ChannelStatus::kError) << c.what;
    // The bad message is gone; the next one reads normally.
    ASSERT_EQ(b.Receive(&frame), ChannelStatus::kOk) << "after " << c.what;
    EXPECT_TRUE(SameFrame({FrameKind::kDeliver, {}, 0, "fine\n"}, frame));
  }
}

TEST(ChannelTest, NothingToReadIsWouldBlock) {
  auto [a, b] = MakePair();
  Frame frame;
  EXPECT_EQ(b.Receive(&frame), ChannelStatus::kWouldBlock);
  EXPECT_EQ(a.Flush(), ChannelStatus::kOk) << "an empty queue flushes";
}

}  // namespace
}  // namespace chat::ipc
