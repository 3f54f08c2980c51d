// PlainStream and the socket calls every transport ends in.
#include "transport/plain_stream.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chat::transport {
namespace {

Result Failure(int error) {
  if (error == EAGAIN || error == EWOULDBLOCK) {
    return {Status::kWouldBlock, 0, error};
  }
  if (error == EPIPE || error == ECONNRESET) {
    return {Status::kClosed, 0, error};
  }
  return {Status::kError, 0, error};
}

}  // namespace

Result ReadSocket(int fd, char* buffer, size_t capacity) {
  ssize_t n;
  do {
    n = ::read(fd, buffer, capacity);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Failure(errno);
  if (n == 0) return {Status::kClosed, 0, 0};
  return {Status::kOk, static_cast<size_t>(n), 0};
}

Result WriteSocket(int fd, const char* data, size_t length) {
  ssize_t n;
  do {
    n = ::send(fd, data, length, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Failure(errno);
  return {Status::kOk, static_cast<size_t>(n), 0};
}

Result PlainStream::Read(char* buffer, size_t capacity) {
  return ReadSocket(fd_, buffer, capacity);
}

Result PlainStream::Write(std::string_view bytes) {
  return WriteSocket(fd_, bytes.data(), bytes.size());
}

}  // namespace chat::transport
