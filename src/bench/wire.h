// Wire: what chat-bench's connections speak under the protocol lines: TLS
// (--tls, to the server's TLS port) or WebSocket (--ws, to its web port).
// The client pool keeps writing and reading lines; a Wire turns them into
// the bytes on the socket and back. Plain connections have no Wire at all.
#ifndef CHAT_BENCH_WIRE_H_
#define CHAT_BENCH_WIRE_H_

#include <memory>
#include <string>
#include <string_view>

namespace chat::bench {

class Wire {
 public:
  virtual ~Wire() = default;
  // The first bytes to send (a ClientHello, an HTTP upgrade request).
  virtual bool Start(std::string* wire, std::string* error) = 0;
  // Bytes from the server: line bytes go to *plain, anything to send back
  // (handshake records, pongs) to *wire. False with *error on failure.
  virtual bool Receive(std::string_view bytes, std::string* plain,
                       std::string* wire, std::string* error) = 0;
  // Whole lines to send; held until the opening is done.
  virtual void Send(std::string_view lines, std::string* wire) = 0;
};

enum class WireKind { kPlain, kTls, kWebSocket };

// nullptr for kPlain.
std::unique_ptr<Wire> MakeWire(WireKind kind);

}  // namespace chat::bench

#endif  // CHAT_BENCH_WIRE_H_
