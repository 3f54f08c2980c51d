// io tests: ReadSome/WriteSome tell data, would-block, closed and failure
// apart on pipes and sockets, and a write to a vanished reader never raises
// SIGPIPE; WriteAll waits out a slow reader.
#include "ipc/io.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "fork_support.h"
#include "ipc/unique_fd.h"

namespace chat::ipc {
namespace {

using fork_support::Child;
using fork_support::Deadline;
using fork_support::DescribeStatus;
using fork_support::ExitedWith;
using fork_support::StatusName;
using fork_support::WaitFor;

struct FdPair {
  UniqueFd a, b;  // for a pipe: a reads, b writes
};

FdPair MakePipePair() {
  fork_support::Pipe pipe = fork_support::MakePipe();
  return {std::move(pipe.read), std::move(pipe.write)};
}

FdPair MakeSocketPair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    ADD_FAILURE() << "socketpair: " << strerror(errno);
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Writes until the fd is full; the count of bytes written, or 0 if it never
// reported kWouldBlock within a bounded number of writes.
size_t FillUp(int fd) {
  std::string chunk(4096, 'f');
  size_t total = 0;
  for (int i = 0; i < 100000; ++i) {
    IoResult result = WriteSome(fd, chunk.data(), chunk.size());
    if (result.status == IoStatus::kWouldBlock) return total;
    if (result.status != IoStatus::kOk) return 0;
    total += result.bytes;
  }
  return 0;
}

class IoTest : public testing::TestWithParam<bool> {
 protected:
  // GetParam(): true for a stream socket pair, false for a pipe.
  FdPair Make() { return GetParam() ? MakeSocketPair() : MakePipePair(); }
};

TEST_P(IoTest, EmptyNonBlockingReadIsWouldBlockThenData) {
  FdPair fds = Make();
  ASSERT_TRUE(SetNonBlocking(fds.a.get()));
  char buffer[16];
  IoResult result = ReadSome(fds.a.get(), buffer, sizeof buffer);
  EXPECT_EQ(result.status, IoStatus::kWouldBlock) << StatusName(result.status);

  IoResult wrote = WriteSome(fds.b.get(), "hello", 5);
  ASSERT_EQ(wrote.status, IoStatus::kOk) << StatusName(wrote.status);
  EXPECT_EQ(wrote.bytes, 5u);
  result = ReadSome(fds.a.get(), buffer, sizeof buffer);
  ASSERT_EQ(result.status, IoStatus::kOk) << StatusName(result.status);
  EXPECT_EQ(std::string(buffer, result.bytes), "hello");
}

TEST_P(IoTest, ReadAfterWriterClosedIsClosedOnceDataIsRead) {
  FdPair fds = Make();
  ASSERT_TRUE(WriteAll(fds.b.get(), "last"));
  fds.b.Reset();
  char buffer[16];
  IoResult result = ReadSome(fds.a.get(), buffer, sizeof buffer);
  ASSERT_EQ(result.status, IoStatus::kOk) << StatusName(result.status);
  EXPECT_EQ(std::string(buffer, result.bytes), "last");
  result = ReadSome(fds.a.get(), buffer, sizeof buffer);
  EXPECT_EQ(result.status, IoStatus::kClosed) << StatusName(result.status);
}

TEST_P(IoTest, WriteToFullFdIsWouldBlock) {
  FdPair fds = Make();
  ASSERT_TRUE(SetNonBlocking(fds.b.get()));
  EXPECT_GT(FillUp(fds.b.get()), 0u) << "never reported kWouldBlock";
  IoResult result = WriteSome(fds.b.get(), "x", 1);
  EXPECT_EQ(result.status, IoStatus::kWouldBlock) << StatusName(result.status);
  EXPECT_EQ(result.bytes, 0u);
}

TEST_P(IoTest, WriteWithoutReaderIsClosedAndRaisesNoSigpipe) {
  FdPair fds = Make();
  fds.a.Reset();
  // The test binary ignores SIGPIPE; the child restores the default, so a
  // SIGPIPE would kill it. It also checks that the signal mask is as before
  // and no SIGPIPE is left pending.
  // A child still running after the timeout is killed with the temporary.
  std::optional<int> status =
      Child::Start([&] {
        signal(SIGPIPE, SIG_DFL);
        IoResult result = WriteSome(fds.b.get(), "x", 1);
        if (result.status != IoStatus::kClosed || result.error != EPIPE)
          return 2;
        if (WriteAll(fds.b.get(), "more")) return 3;
        sigset_t mask, pending;
        sigprocmask(SIG_BLOCK, nullptr, &mask);
        sigpending(&pending);
        if (sigismember(&mask, SIGPIPE) || sigismember(&pending, SIGPIPE))
          return 4;
        return 0;
      }).Wait();
  EXPECT_TRUE(ExitedWith(status, 0))
      << "expected exit 0 (kClosed, EPIPE), got " << DescribeStatus(status);
}

TEST_P(IoTest, DataFromExitedChildIsReadThenClosed) {
  FdPair fds = Make();
  std::optional<int> status =
      Child::Start([&] {
        fds.a.Reset();
        return WriteAll(fds.b.get(), "from the child\n") ? 0 : 1;
      }).Wait();
  ASSERT_TRUE(ExitedWith(status, 0)) << DescribeStatus(status);
  fds.b.Reset();
  std::string got;
  char buffer[4];
  for (int i = 0; i < 100; ++i) {
    IoResult result = ReadSome(fds.a.get(), buffer, sizeof buffer);
    if (result.status != IoStatus::kOk) {
      EXPECT_EQ(result.status, IoStatus::kClosed) << StatusName(result.status);
      break;
    }
    got.append(buffer, result.bytes);
  }
  EXPECT_EQ(got, "from the child\n");
}

TEST_P(IoTest, WriteAllWaitsForASlowReader) {
  FdPair fds = Make();
  ASSERT_TRUE(SetNonBlocking(fds.b.get()));
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 253);
  // The child reads in small pieces and compares; exit 0 means all arrived.
  Child reader = Child::Start([&] {
    fds.b.Reset();
    size_t at = 0;
    char buffer[1000];
    auto deadline = Deadline();
    while (WaitFor(fds.a.get(), POLLIN, deadline)) {
      IoResult result = ReadSome(fds.a.get(), buffer, sizeof buffer);
      if (result.status == IoStatus::kClosed) break;
      if (result.status != IoStatus::kOk) return 2;
      if (at + result.bytes > data.size() ||
          memcmp(buffer, data.data() + at, result.bytes) != 0) {
        return 3;
      }
      at += result.bytes;
    }
    return at == data.size() ? 0 : 4;
  });
  fds.a.Reset();
  bool wrote = WriteAll(fds.b.get(), data);
  int error = errno;
  fds.b.Reset();
  EXPECT_TRUE(wrote) << strerror(error);

  std::optional<int> status = reader.Wait();
  EXPECT_TRUE(ExitedWith(status, 0))
      << "reader: expected exit 0 (every byte in order), got "
      << DescribeStatus(status);
}

INSTANTIATE_TEST_SUITE_P(PipeAndSocket, IoTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "Socket" : "Pipe";
                         });

TEST(IoSocketTest, ReadAfterPeerResetIsClosed) {
  // A Unix stream peer that closes with data of ours unread resets the
  // connection.
  FdPair fds = MakeSocketPair();
  ASSERT_TRUE(WriteAll(fds.a.get(), "unread"));
  fds.b.Reset();
  char buffer[8];
  IoResult result = ReadSome(fds.a.get(), buffer, sizeof buffer);
  EXPECT_EQ(result.status, IoStatus::kClosed) << StatusName(result.status);
}

TEST(IoErrorTest, BadFdIsErrorWithErrno) {
  char buffer[4];
  IoResult read = ReadSome(-1, buffer, sizeof buffer);
  EXPECT_EQ(read.status, IoStatus::kError);
  EXPECT_EQ(read.error, EBADF);
  IoResult wrote = WriteSome(-1, "x", 1);
  EXPECT_EQ(wrote.status, IoStatus::kError);
  EXPECT_EQ(wrote.error, EBADF);
  EXPECT_FALSE(WriteAll(-1, "x"));
  EXPECT_FALSE(SetNonBlocking(-1));
}

TEST(IoErrorTest, SetNonBlockingSetsAndClears) {
  FdPair fds = MakePipePair();
  int fd = fds.a.get();
  ASSERT_TRUE(SetNonBlocking(fd));
  EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
  ASSERT_TRUE(SetNonBlocking(fd));  // already set: still fine
  EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
  ASSERT_TRUE(SetNonBlocking(fd, false));
  EXPECT_FALSE(fcntl(fd, F_GETFL) & O_NONBLOCK);
}

TEST(IoErrorTest, ZeroLengthTransfersAreOk) {
  FdPair fds = MakePipePair();
  char buffer[1];
  EXPECT_EQ(ReadSome(fds.a.get(), buffer, 0).status, IoStatus::kOk);
  EXPECT_EQ(WriteSome(fds.b.get(), buffer, 0).status, IoStatus::kOk);
}

}  // namespace
}  // namespace chat::ipc
