// Thin wrappers over read/send/write/poll/fcntl: EINTR is retried here, errno
// is sorted into would-block, closed and failed, and no write ever raises
// SIGPIPE, whatever the process's disposition for it.
#include "ipc/io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace chat::ipc {
namespace {

bool IsWouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

IoResult Failure(int error) {
  if (IsWouldBlock(error)) return {IoStatus::kWouldBlock, 0, error};
  if (error == EPIPE || error == ECONNRESET) {
    return {IoStatus::kClosed, 0, error};
  }
  return {IoStatus::kError, 0, error};
}

// write(2) on a pipe whose reader is gone raises SIGPIPE, and there is no
// MSG_NOSIGNAL for pipes. So SIGPIPE is blocked in this thread for the call,
// and a SIGPIPE the call itself raised is taken off the pending set before
// the old mask returns (the technique libpq uses). A SIGPIPE that was already
// pending before the call is left alone.
IoResult WriteToNonSocket(int fd, const void* data, size_t length) {
  sigset_t sigpipe_only;
  sigemptyset(&sigpipe_only);
  sigaddset(&sigpipe_only, SIGPIPE);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &sigpipe_only, &old_mask);
  bool was_pending = false;
  if (sigismember(&old_mask, SIGPIPE)) {
    sigset_t pending;
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
  }

  ssize_t n;
  do {
    n = ::write(fd, data, length);
  } while (n < 0 && errno == EINTR);
  int error = n < 0 ? errno : 0;

  if (error == EPIPE && !was_pending) {
    const timespec no_wait = {0, 0};
    while (sigtimedwait(&sigpipe_only, nullptr, &no_wait) < 0 &&
           errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  if (n < 0) return Failure(error);
  return {IoStatus::kOk, static_cast<size_t>(n), 0};
}

}  // namespace

IoResult ReadSome(int fd, void* buffer, size_t length) {
  if (length == 0) return {IoStatus::kOk, 0, 0};
  for (;;) {
    ssize_t n = ::read(fd, buffer, length);
    if (n > 0) return {IoStatus::kOk, static_cast<size_t>(n), 0};
    if (n == 0) return {IoStatus::kClosed, 0, 0};
    if (errno != EINTR) return Failure(errno);
  }
}

IoResult WriteSome(int fd, const void* data, size_t length) {
  if (length == 0) return {IoStatus::kOk, 0, 0};
  for (;;) {
    ssize_t n = ::send(fd, data, length, MSG_NOSIGNAL);
    if (n >= 0) return {IoStatus::kOk, static_cast<size_t>(n), 0};
    if (errno == ENOTSOCK) return WriteToNonSocket(fd, data, length);
    if (errno != EINTR) return Failure(errno);
  }
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    IoResult result = WriteSome(fd, data.data(), data.size());
    switch (result.status) {
      case IoStatus::kOk:
        data.remove_prefix(result.bytes);
        break;
      case IoStatus::kWouldBlock: {
        // POLLERR/POLLHUP also end the wait; the next write then reports it.
        pollfd waiter = {fd, POLLOUT, 0};
        if (::poll(&waiter, 1, -1) < 0 && errno != EINTR) return false;
        break;
      }
      case IoStatus::kClosed:
      case IoStatus::kError:
        errno = result.error;
        return false;
    }
  }
  return true;
}

bool SetNonBlocking(int fd, bool non_blocking) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  int wanted = non_blocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted == flags) return true;
  return ::fcntl(fd, F_SETFL, wanted) == 0;
}

}  // namespace chat::ipc
