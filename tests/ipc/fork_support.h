// What the ipc tests need to drive real processes: pipes to synchronise on,
// a forked child that is killed and reaped however the test ends, bounded
// waits, status names for failure messages, and the /dev/shm leftover check.
#ifndef CHAT_TESTS_IPC_FORK_SUPPORT_H_
#define CHAT_TESTS_IPC_FORK_SUPPORT_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ipc/robust_mutex.h"
#include "ipc/unique_fd.h"

namespace chat::ipc::fork_support {

// Every wait in these tests ends by this, and only a broken test reaches it.
inline constexpr int kTimeoutMs = 5000;

using Clock = std::chrono::steady_clock;

inline Clock::time_point Deadline(int timeout_ms = kTimeoutMs) {
  return Clock::now() + std::chrono::milliseconds(timeout_ms);
}

inline int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on `fd` until `deadline`; false on timeout or failure.
inline bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd waiter{fd, events, 0};
    int ready = ::poll(&waiter, 1, RemainingMs(deadline));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

inline Pipe MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("pipe2");
    std::abort();
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

inline bool WriteByte(int fd, uint8_t byte) {
  for (;;) {
    ssize_t n = ::write(fd, &byte, 1);
    if (n == 1) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

// One byte from `fd` within the timeout; nullopt on timeout or end of file.
inline std::optional<uint8_t> ReadByte(int fd, int timeout_ms = kTimeoutMs) {
  Clock::time_point deadline = Deadline(timeout_ms);
  for (;;) {
    if (!WaitFor(fd, POLLIN, deadline)) return std::nullopt;
    uint8_t byte;
    ssize_t n = ::read(fd, &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && errno == EINTR) continue;
    return std::nullopt;
  }
}

// Blocks the calling child until it is killed; used to park a process at a
// precise point (holding a lock, inside an update).
[[noreturn]] inline void WaitToBeKilled() {
  for (;;) ::pause();
}

// A forked child running `body`; its return value is the exit status. The
// child leaves through _exit(), so it runs no destructor or atexit handler of
// the test process. The parent side kills and reaps it if the test did not.
class Child {
 public:
  template <typename Body>
  static Child Start(Body body) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) {
      std::perror("fork");
      std::abort();
    }
    if (pid == 0) ::_exit(body());
    // A pidfd turns "the child has exited" into a pollable event, so a wait
    // can be bounded without a sleep loop.
    return Child(pid,
                 UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))));
  }

  Child(Child&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)) {}
  Child& operator=(Child&&) = delete;
  ~Child() {
    if (pid_ > 0) Kill();
  }

  pid_t pid() const { return pid_; }

  // SIGKILL, then reap: when this returns the process is gone and the kernel
  // has done its robust-futex clean-up.
  int Kill() {
    ::kill(pid_, SIGKILL);
    return Reap();
  }

  // The wait status once the child has exited, or nullopt after the timeout
  // (the child is then still running and still owned).
  std::optional<int> Wait(int timeout_ms = kTimeoutMs) {
    Clock::time_point deadline = Deadline(timeout_ms);
    if (pidfd_ && !WaitFor(pidfd_.get(), POLLIN, deadline)) {
      return std::nullopt;
    }
    return Reap();
  }

 private:
  Child(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}

  int Reap() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    pidfd_.Reset();
    return status;
  }

  pid_t pid_;
  UniqueFd pidfd_;
};

inline std::string DescribeStatus(std::optional<int> status) {
  if (!status)
    return "still running after " + std::to_string(kTimeoutMs) + " ms";
  if (WIFEXITED(*status)) return "exit " + std::to_string(WEXITSTATUS(*status));
  if (WIFSIGNALED(*status)) {
    return "killed by signal " + std::to_string(WTERMSIG(*status));
  }
  return "status " + std::to_string(*status);
}

inline bool ExitedWith(std::optional<int> status, int code) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == code;
}

// True once `pid` is asleep in a futex wait (blocked on a mutex). Read from
// /proc; where /proc/<pid>/syscall is unavailable, "asleep" must do.
inline bool IsBlockedInFutex(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)),
                   std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return false;
  if (text[paren + 2] != 'S') return false;
  std::ifstream syscall_file("/proc/" + std::to_string(pid) + "/syscall");
  long number = -1;
  if (!(syscall_file >> number)) return true;
  return number == SYS_futex;
}

// Polls /proc until `pid` blocks on a futex; false after the timeout. There
// is no event for "a process went to sleep", so this is the one polling wait.
inline bool WaitUntilBlockedInFutex(pid_t pid, int timeout_ms = kTimeoutMs) {
  Clock::time_point deadline = Deadline(timeout_ms);
  while (!IsBlockedInFutex(pid)) {
    if (Clock::now() >= deadline) return false;
    timespec pause{0, 200'000};
    ::nanosleep(&pause, nullptr);
  }
  return true;
}

// Shared-memory names this process created and did not remove. Only our own
// pid's names count: other test binaries may run at the same time.
inline std::vector<std::string> LeftoverSegments() {
  std::string prefix = "chat-server." + std::to_string(::getpid()) + ".";
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/dev/shm", error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0) found.push_back(name);
  }
  return found;
}

// ChannelStatus and IoStatus have the same four values, so one table names
// both.
template <typename Status>
const char* StatusName(Status status) {
  switch (status) {
    case Status::kOk:
      return "kOk";
    case Status::kWouldBlock:
      return "kWouldBlock";
    case Status::kClosed:
      return "kClosed";
    case Status::kError:
      return "kError";
  }
  return "?";
}

inline const char* LockStatusName(LockStatus status) {
  switch (status) {
    case LockStatus::kAcquired:
      return "kAcquired";
    case LockStatus::kOwnerDied:
      return "kOwnerDied";
    case LockStatus::kBusy:
      return "kBusy";
    case LockStatus::kTimedOut:
      return "kTimedOut";
    case LockStatus::kNotRecoverable:
      return "kNotRecoverable";
  }
  return "?";
}

}  // namespace chat::ipc::fork_support

namespace chat::ipc {
// Lets gtest print a LockStatus by name in failure messages.
inline void PrintTo(LockStatus status, std::ostream* out) {
  *out << fork_support::LockStatusName(status);
}
}  // namespace chat::ipc

#endif  // CHAT_TESTS_IPC_FORK_SUPPORT_H_
