// Stream: the one interface over which a worker moves protocol bytes, whatever
// the way in: plain TCP, TLS over TCP, or WebSocket over either. Like libuv's
// uv_stream_t, the code above (the worker's loop, the session) reads and
// writes bytes of LF-ended lines and never asks which transport it has; each
// transport does its own opening (TLS handshake, HTTP upgrade) and framing.
//
// Everything here is non-blocking and runs in the per-connection process:
// TLS records, HTTP request heads and WebSocket frames are parsed only there.
#ifndef CHAT_TRANSPORT_STREAM_H_
#define CHAT_TRANSPORT_STREAM_H_

#include <poll.h>

#include <cstddef>
#include <string_view>

namespace chat::transport {

enum class Status {
  kOk,          // `bytes` moved (or, for Open, the stream is established)
  kWouldBlock,  // nothing can move until the socket is ready again
  kClosed,      // the peer ended the stream (or it ended without lines)
  kError,       // the transport failed; `what` says how
};

struct Result {
  Status status = Status::kOk;
  size_t bytes = 0;
  int error = 0;               // errno, when a system call failed
  const char* what = nullptr;  // static text for the log, when known
};

// Why a stream is being closed, for transports that tell the peer (a
// WebSocket close code).
enum class CloseReason { kNormal, kGoingAway, kPolicy };

class Stream {
 public:
  virtual ~Stream() = default;

  // The socket the stream lives on, for poll().
  virtual int fd() const = 0;

  // Whether the opening (TLS handshake, HTTP upgrade) is done; lines flow
  // only after it. Open() advances it: kOk once established, kWouldBlock
  // while it waits for the peer, kClosed when the connection ended without
  // lines (the web page was served, a request refused) and is finished.
  virtual bool established() const { return true; }
  virtual Result Open() { return {}; }

  // Reads line bytes (LF-ended lines, as on the plain port) into `buffer`.
  virtual Result Read(char* buffer, size_t capacity) = 0;
  // Writes line bytes; `bytes` says how many of the front were taken (a
  // transport may take them into its own small buffer, see
  // has_pending_output). Never takes part of a line it cannot frame yet.
  virtual Result Write(std::string_view bytes) = 0;

  // Bytes taken by Write (or owed by the transport itself: a pong, a TLS
  // record) that the socket has not accepted yet; Flush tries again.
  virtual bool has_pending_output() const { return false; }
  virtual Result Flush() { return {}; }
  // Whether input was already read off the socket and decoded (a TLS record
  // holding more than one Read took), so poll() would not report it.
  virtual bool has_buffered_input() const { return false; }

  // The poll() events the socket needs, given what the caller wants now.
  virtual short Events(bool want_read, bool want_write) const {
    return static_cast<short>((want_read ? POLLIN : 0) |
                              (want_write ? POLLOUT : 0));
  }

  // Best effort and non-blocking: tells the peer the stream ends (TLS
  // close_notify, a WebSocket close frame). The caller closes the socket.
  virtual void Close(CloseReason) {}

  // "tcp", "tls", "web", "web-tls", for the log.
  virtual const char* name() const = 0;
};

}  // namespace chat::transport

#endif  // CHAT_TRANSPORT_STREAM_H_
