// The one place that retries EINTR and tells "would block", "closed" and
// "failed" apart, so that no caller loops on read()/write() by itself.
#ifndef CHAT_IPC_IO_H_
#define CHAT_IPC_IO_H_

#include <cstddef>
#include <string_view>

namespace chat::ipc {

enum class IoStatus {
  kOk,          // `bytes` were transferred (never 0 for a non-empty request)
  kWouldBlock,  // non-blocking fd has no data / no room now
  kClosed,      // read: end of file; write: peer gone (EPIPE, ECONNRESET)
  kError,       // anything else; `error` holds errno
};

struct IoResult {
  IoStatus status;
  size_t bytes = 0;
  int error = 0;
};

// One read(2), retried on EINTR.
IoResult ReadSome(int fd, void* buffer, size_t length);

// One send(2) with MSG_NOSIGNAL (write(2) for non-sockets), retried on EINTR.
// May transfer fewer bytes than asked.
IoResult WriteSome(int fd, const void* data, size_t length);

// Writes everything, waiting with poll() when the fd is non-blocking.
// For tests, logging and start-up, never for the event loops.
bool WriteAll(int fd, std::string_view data);

// Sets or clears O_NONBLOCK; false (errno set) on failure.
bool SetNonBlocking(int fd, bool non_blocking = true);

}  // namespace chat::ipc

#endif  // CHAT_IPC_IO_H_
