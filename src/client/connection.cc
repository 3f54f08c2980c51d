// ServerConnection: resolve, connect (each address in turn, each attempt
// bounded in time), then line-framed reads and queued writes.
#include "client/connection.h"

#include <cstring>

namespace chat::client {
namespace {

// A connect that neither succeeds nor fails (a firewall dropping SYNs) would
// otherwise wait for the kernel's two minutes.
constexpr uint64_t kConnectTimeoutMs = 10000;

// A server line is at most a push "BCST <32-byte name> <4096-byte text>";
// anything much longer is not from a chat server and is skipped.
constexpr size_t kMaxServerLineBytes = 2 * protocol::kMaxLineBytes;

struct WriteRequest {
  uv_write_t request;
  std::string bytes;
};

std::string Describe(int status) { return uv_strerror(status); }

}  // namespace

ServerConnection::ServerConnection(uv_loop_t* loop, Events events)
    : loop_(loop),
      events_(std::move(events)),
      assembler_(kMaxServerLineBytes) {}

ServerConnection::~ServerConnection() {
  if (addresses_ != nullptr) uv_freeaddrinfo(addresses_);
}

void ServerConnection::Connect(std::string host, uint16_t port) {
  host_ = std::move(host);
  port_text_ = std::to_string(port);
  uv_timer_init(loop_, &connect_timer_);
  connect_timer_.data = this;
  timer_open_ = true;
  resolve_request_.data = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  state_ = State::kResolving;
  const int status = uv_getaddrinfo(loop_, &resolve_request_, OnResolved,
                                    host_.c_str(), port_text_.c_str(), &hints);
  if (status < 0) {
    state_ = State::kClosed;
    events_.connect_failed("cannot resolve host " + host_ + ": " +
                           Describe(status));
  }
}

void ServerConnection::OnResolved(uv_getaddrinfo_t* request, int status,
                                  addrinfo* result) {
  auto* self = static_cast<ServerConnection*>(request->data);
  if (self->state_ != State::kResolving) {  // closed meanwhile
    if (result != nullptr) uv_freeaddrinfo(result);
    return;
  }
  if (status < 0) {
    self->state_ = State::kClosed;
    self->Close();
    self->events_.connect_failed("cannot resolve host " + self->host_ + ": " +
                                 Describe(status));
    return;
  }
  self->addresses_ = result;
  self->next_address_ = result;
  self->state_ = State::kConnecting;
  self->TryNextAddress();
}

void ServerConnection::TryNextAddress() {
  while (next_address_ != nullptr) {
    const addrinfo* address = next_address_;
    next_address_ = next_address_->ai_next;
    socket_ = new uv_tcp_t;
    uv_tcp_init(loop_, socket_);
    socket_->data = this;
    connect_request_.data = this;
    attempt_timed_out_ = false;
    const int status =
        uv_tcp_connect(&connect_request_, socket_, address->ai_addr, OnConnect);
    if (status == 0) {
      uv_timer_start(&connect_timer_, OnConnectTimeout, kConnectTimeoutMs, 0);
      return;
    }
    last_error_ = Describe(status);
    CloseSocket();
  }
  state_ = State::kClosed;
  Close();
  events_.connect_failed("cannot connect to " + host_ + " port " + port_text_ +
                         ": " +
                         (last_error_.empty() ? "no address" : last_error_));
}

void ServerConnection::OnConnectTimeout(uv_timer_t* timer) {
  auto* self = static_cast<ServerConnection*>(timer->data);
  // Closing the socket cancels the connect; OnConnect moves on.
  self->attempt_timed_out_ = true;
  self->CloseSocket();
}

void ServerConnection::OnConnect(uv_connect_t* request, int status) {
  auto* self = static_cast<ServerConnection*>(request->data);
  if (self->state_ != State::kConnecting) return;  // closed meanwhile
  uv_timer_stop(&self->connect_timer_);
  if (status < 0) {
    self->last_error_ =
        self->attempt_timed_out_ ? "connection timed out" : Describe(status);
    self->CloseSocket();
    self->TryNextAddress();
    return;
  }
  uv_tcp_nodelay(self->socket_, 1);
  uv_tcp_keepalive(self->socket_, 1, 60);
  self->state_ = State::kConnected;
  uv_read_start(reinterpret_cast<uv_stream_t*>(self->socket_), OnAlloc, OnRead);
  if (self->tls_check_) {
    std::string error;
    self->tls_ = transport::TlsClient::Create(
        self->host_, [self](std::string_view bytes) { self->WriteRaw(bytes); },
        &error);
    if (self->tls_) self->tls_->Start(&error);
    if (!self->tls_ ||
        self->tls_->state() == transport::TlsClient::State::kFailed) {
      self->Close();
      self->events_.connect_failed(error);
    }
    return;  // `connected` once the certificate is accepted
  }
  self->events_.connected();
}

void ServerConnection::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<ServerConnection*>(handle->data);
  // Reads are delivered one at a time and consumed at once, so one buffer
  // serves them all.
  *buf = uv_buf_init(self->read_buffer_, sizeof self->read_buffer_);
}

void ServerConnection::OnRead(uv_stream_t* stream, ssize_t nread,
                              const uv_buf_t* buf) {
  auto* self = static_cast<ServerConnection*>(stream->data);
  if (self->state_ != State::kConnected) return;
  if (self->tls_ && !self->tls_accepted_ && nread < 0) {
    self->Close();
    self->events_.connect_failed(
        "TLS handshake with " + self->host_ + " port " + self->port_text_ +
        " failed: " +
        (nread == UV_EOF ? std::string("the server closed the connection")
                         : Describe(static_cast<int>(nread))) +
        " (is it the server's TLS port?)");
    return;
  }
  if (nread == UV_EOF) {
    self->Broken("");
    return;
  }
  if (nread < 0) {
    self->Broken(Describe(static_cast<int>(nread)));
    return;
  }
  if (self->tls_) {
    self->HandleTls(std::string_view(buf->base, nread));
  } else {
    self->HandleBytes(std::string_view(buf->base, nread));
  }
}

void ServerConnection::HandleTls(std::string_view bytes) {
  using TlsState = transport::TlsClient::State;
  std::string plain;
  std::string error;
  TlsState state = tls_->Feed(bytes, &plain, &error);
  if (!tls_accepted_) {
    if (state == TlsState::kHandshaking) return;
    if (state != TlsState::kReady) {
      Close();
      events_.connect_failed("TLS handshake with " + host_ + " port " +
                             port_text_ + " failed" +
                             (error.empty() ? "" : ": " + error));
      return;
    }
    if (std::optional<std::string> refusal = tls_check_(*tls_)) {
      Close();
      events_.connect_failed(*refusal);
      return;
    }
    tls_accepted_ = true;
    events_.connected();
    if (state_ != State::kConnected) return;
  }
  HandleBytes(plain);
  if (state_ != State::kConnected) return;
  if (state == TlsState::kClosed) {
    Broken("");
  } else if (state == TlsState::kFailed) {
    Broken(error);
  }
}

void ServerConnection::HandleBytes(std::string_view bytes) {
  ServerConnection* self = this;
  self->assembler_.Append(bytes);
  std::string_view line;
  // A handler may close the connection (BYE): stop at once when it does.
  while (self->state_ == State::kConnected) {
    const auto status = self->assembler_.Next(&line);
    if (status == protocol::LineAssembler::Status::kNeedMore) break;
    if (status == protocol::LineAssembler::Status::kTooLong) {
      self->events_.line_too_long();
    } else if (!line.empty()) {
      self->events_.line(line);
    }
  }
}

void ServerConnection::Send(std::string_view line) {
  if (state_ != State::kConnected) return;
  if (tls_) {
    std::string error;
    std::string bytes;
    bytes.reserve(line.size() + 1);
    bytes.append(line);
    bytes += '\n';
    if (!tls_->Write(bytes, &error)) Broken(error);
    return;
  }
  std::string bytes;
  bytes.reserve(line.size() + 1);
  bytes.append(line);
  bytes += '\n';
  WriteRaw(bytes);
}

void ServerConnection::WriteRaw(std::string_view bytes) {
  if (state_ != State::kConnected || socket_ == nullptr) return;
  auto* write = new WriteRequest;
  write->bytes.assign(bytes);
  write->request.data = this;
  uv_buf_t buf = uv_buf_init(write->bytes.data(),
                             static_cast<unsigned>(write->bytes.size()));
  const int status =
      uv_write(&write->request, reinterpret_cast<uv_stream_t*>(socket_), &buf,
               1, OnWrite);
  if (status < 0) {
    delete write;
    Broken(Describe(status));
  }
}

void ServerConnection::OnWrite(uv_write_t* request, int status) {
  auto* write = reinterpret_cast<WriteRequest*>(request);
  auto* self = static_cast<ServerConnection*>(request->data);
  delete write;
  if (self->state_ != State::kConnected) return;
  if (status < 0) {
    self->Broken(Describe(status));
    return;
  }
  if (self->events_.written) self->events_.written();
}

size_t ServerConnection::queued_bytes() const {
  if (socket_ == nullptr || state_ != State::kConnected) return 0;
  return uv_stream_get_write_queue_size(
      reinterpret_cast<const uv_stream_t*>(socket_));
}

void ServerConnection::Broken(std::string error) {
  Close();
  events_.closed(std::move(error));
}

void ServerConnection::CloseSocket() {
  if (socket_ == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(socket_), [](uv_handle_t* handle) {
    delete reinterpret_cast<uv_tcp_t*>(handle);
  });
  socket_ = nullptr;
}

void ServerConnection::Close() {
  if (state_ == State::kResolving) {
    uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_request_));
  }
  state_ = State::kClosed;
  CloseSocket();
  if (timer_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&connect_timer_), nullptr);
    timer_open_ = false;
  }
}

}  // namespace chat::client
