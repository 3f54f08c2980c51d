// ServerConnection: the TCP connection to the chat server on the libuv loop:
// name resolution (uv_getaddrinfo), a connect attempt on each address in
// turn, then reading server lines (protocol::LineAssembler) and writing
// request lines; with TLS (EnableTls) the same inside a TlsClient, and
// `connected` only once the handshake is done and the certificate accepted.
#ifndef CHAT_CLIENT_CONNECTION_H_
#define CHAT_CLIENT_CONNECTION_H_

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/line_assembler.h"
#include "transport/tls_client.h"

namespace chat::client {

class ServerConnection {
 public:
  struct Events {
    std::function<void()> connected;
    std::function<void(std::string_view line)> line;
    std::function<void()> line_too_long;
    // Resolution or every connect attempt failed: one readable sentence.
    std::function<void(std::string error)> connect_failed;
    // After `connected`: the server closed (error empty) or the connection
    // broke (error says how).
    std::function<void(std::string error)> closed;
    // A write completed (the write queue shrank).
    std::function<void()> written;
  };

  ServerConnection(uv_loop_t* loop, Events events);
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;
  // The loop must have run the close callbacks (Close(), then uv_run until
  // it returns) before the object goes away.
  ~ServerConnection();

  // Speak TLS; `check` decides on the server's certificate once the
  // handshake is done: nullopt accepts, a message refuses (reported as
  // connect_failed). Call before Connect.
  using TlsCheck =
      std::function<std::optional<std::string>(const transport::TlsClient&)>;
  void EnableTls(TlsCheck check) { tls_check_ = std::move(check); }

  void Connect(std::string host, uint16_t port);
  // Sends `line` and an LF. Ignored once closed.
  void Send(std::string_view line);
  // Bytes accepted by Send() but not yet written to the socket.
  size_t queued_bytes() const;
  // Stops everything; no event is reported afterwards.
  void Close();

 private:
  enum class State { kIdle, kResolving, kConnecting, kConnected, kClosed };

  static void OnResolved(uv_getaddrinfo_t* request, int status,
                         addrinfo* result);
  static void OnConnect(uv_connect_t* request, int status);
  static void OnConnectTimeout(uv_timer_t* timer);
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* request, int status);

  // Starts a connect to the next resolved address, or reports failure.
  void TryNextAddress();
  void CloseSocket();
  void Broken(std::string error);
  // Bytes onto the socket as they are (ciphertext with TLS).
  void WriteRaw(std::string_view bytes);
  // Line bytes from the server (plaintext).
  void HandleBytes(std::string_view bytes);
  // Ciphertext from the server.
  void HandleTls(std::string_view bytes);

  uv_loop_t* loop_;
  Events events_;
  State state_ = State::kIdle;
  std::string host_;
  std::string port_text_;
  uv_getaddrinfo_t resolve_request_{};
  addrinfo* addresses_ = nullptr;
  addrinfo* next_address_ = nullptr;
  std::string last_error_;
  // One socket per connect attempt (a failed connect leaves a handle that
  // cannot be reused); heap-allocated because uv_close finishes later.
  uv_tcp_t* socket_ = nullptr;
  uv_connect_t connect_request_{};
  bool attempt_timed_out_ = false;
  uv_timer_t connect_timer_{};
  bool timer_open_ = false;
  TlsCheck tls_check_;
  std::unique_ptr<transport::TlsClient> tls_;
  bool tls_accepted_ = false;
  protocol::LineAssembler assembler_;
  char read_buffer_[64 * 1024];
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_CONNECTION_H_
