// PlainStream: protocol lines straight over a TCP socket, the version 1 way
// in. One read(2) or send(2) per call, no buffer and no copy of its own.
#ifndef CHAT_TRANSPORT_PLAIN_STREAM_H_
#define CHAT_TRANSPORT_PLAIN_STREAM_H_

#include "transport/stream.h"

namespace chat::transport {

class PlainStream final : public Stream {
 public:
  // `fd` stays owned by the caller.
  explicit PlainStream(int fd) : fd_(fd) {}

  int fd() const override { return fd_; }
  Result Read(char* buffer, size_t capacity) override;
  Result Write(std::string_view bytes) override;
  const char* name() const override { return "tcp"; }

 private:
  int fd_;
};

// The same single read(2)/send(2) on any fd, for the other transports that
// sit on a socket: EINTR retried, errno sorted into Status.
Result ReadSocket(int fd, char* buffer, size_t capacity);
Result WriteSocket(int fd, const char* data, size_t length);

}  // namespace chat::transport

#endif  // CHAT_TRANSPORT_PLAIN_STREAM_H_
