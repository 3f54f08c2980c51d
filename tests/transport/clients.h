// Test clients for the TLS and web ports: a blocking TLS line client (the
// transport's own TlsClient over a socket) and a WebSocket client written by
// hand from RFC 6455, so that what the server's wslay-based side accepts is
// checked against an independent framing.
#ifndef CHAT_TESTS_TRANSPORT_CLIENTS_H_
#define CHAT_TESTS_TRANSPORT_CLIENTS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "support/line_reader.h"
#include "support/server_process.h"
#include "transport/tls_client.h"

namespace chat::test {

// The port of the server's listener whose "listening on" line ends with
// `suffix` ("(tls)", "(web)", "(web-tls)"); 0 if none came.
uint16_t ListenerPort(ServerProcess& server, std::string_view suffix);

// A TCP connection to 127.0.0.1:port; -1 on failure.
int ConnectTcp(uint16_t port);

class TlsLineClient {
 public:
  // Connects and completes the handshake (accepting any certificate);
  // nullptr (with a gtest failure) otherwise.
  static std::unique_ptr<TlsLineClient> Open(uint16_t port);
  ~TlsLineClient();

  bool SendLine(std::string_view line);
  std::optional<std::string> ReadLine(
      std::chrono::milliseconds timeout = kEventTimeout);
  // Reads lines until one equals `expected`.
  bool SkipUntil(std::string_view expected,
                 std::chrono::milliseconds timeout = kEventTimeout);
  transport::TlsClient& tls() { return *tls_; }
  int fd() const { return fd_; }

 private:
  TlsLineClient() = default;
  // Reads once from the socket into the TLS session; false on close/error.
  bool Pump(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::unique_ptr<transport::TlsClient> tls_;
  std::string plain_;
  bool closed_ = false;
};

class WebSocketClient {
 public:
  struct Message {
    uint8_t opcode = 0;
    std::string payload;
  };

  // Sends a GET `path` upgrade request (with `origin` unless empty) over a
  // new TCP connection. Check status() before using the frames.
  static std::unique_ptr<WebSocketClient> Open(
      uint16_t port, const std::string& origin = "",
      const std::string& path = "/chat", const std::string& extra = "");
  ~WebSocketClient();

  int status() const { return status_; }
  const std::string& response_head() const { return head_; }
  int fd() const { return fd_; }

  // A masked frame (fin set unless told otherwise).
  bool SendFrame(uint8_t opcode, std::string_view payload, bool fin = true,
                 bool mask = true);
  bool SendText(std::string_view text) { return SendFrame(0x1, text); }
  bool SendRaw(std::string_view bytes);
  // The next complete message (text, binary or control frame).
  std::optional<Message> Read(
      std::chrono::milliseconds timeout = kEventTimeout);
  // The next text message, answering nothing and skipping control frames.
  std::optional<std::string> ReadText(
      std::chrono::milliseconds timeout = kEventTimeout);
  bool SkipUntilText(std::string_view expected,
                     std::chrono::milliseconds timeout = kEventTimeout);
  // True once the server closed the TCP connection.
  bool WaitClosed(std::chrono::milliseconds timeout = kEventTimeout);

 private:
  WebSocketClient() = default;
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  int status_ = 0;
  std::string head_;
  std::string buffer_;
};

}  // namespace chat::test

#endif  // CHAT_TESTS_TRANSPORT_CLIENTS_H_
