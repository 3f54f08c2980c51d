// TlsWire (transport::TlsClient over memory) and WebSocketWire (the client
// side of RFC 6455, which the server's transport does not have: an upgrade
// request, masked text frames out, unmasked frames in).
#include "bench/wire.h"

#include "transport/tls_client.h"

namespace chat::bench {
namespace {

class TlsWire final : public Wire {
 public:
  bool Start(std::string* wire, std::string* error) override {
    tls_ = transport::TlsClient::Create(
        "localhost", [this](std::string_view bytes) { sink_->append(bytes); },
        error);
    if (!tls_) return false;
    sink_ = wire;
    return tls_->Start(error) != transport::TlsClient::State::kFailed;
  }

  bool Receive(std::string_view bytes, std::string* plain, std::string* wire,
               std::string* error) override {
    sink_ = wire;
    auto state = tls_->Feed(bytes, plain, error);
    if (state == transport::TlsClient::State::kFailed) return false;
    if (state == transport::TlsClient::State::kReady && !held_.empty()) {
      std::string held;
      held.swap(held_);
      if (!tls_->Write(held, error)) return false;
    }
    return true;
  }

  void Send(std::string_view lines, std::string* wire) override {
    sink_ = wire;
    if (tls_->state() != transport::TlsClient::State::kReady) {
      held_.append(lines);
      return;
    }
    std::string error;
    tls_->Write(lines, &error);
  }

 private:
  std::unique_ptr<transport::TlsClient> tls_;
  std::string* sink_ = nullptr;
  std::string held_;
};

class WebSocketWire final : public Wire {
 public:
  bool Start(std::string* wire, std::string*) override {
    wire->append(
        "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: "
        "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return true;
  }

  bool Receive(std::string_view bytes, std::string* plain, std::string* wire,
               std::string* error) override {
    in_.append(bytes);
    // in_ holds at most one partial frame between calls.
    if (!open_) {
      size_t end = in_.find("\r\n\r\n");
      if (end == std::string::npos) return true;
      if (in_.compare(0, 12, "HTTP/1.1 101") != 0) {
        *error = "WebSocket upgrade refused: " + in_.substr(0, in_.find('\r'));
        return false;
      }
      in_.erase(0, end + 4);
      open_ = true;
      if (!held_.empty()) {
        std::string held;
        held.swap(held_);
        Send(held, wire);
      }
    }
    size_t at = 0;
    while (in_.size() - at >= 2) {
      auto byte = [&](size_t i) { return static_cast<uint8_t>(in_[at + i]); };
      uint8_t opcode = byte(0) & 0x0F;
      uint64_t length = byte(1) & 0x7F;
      size_t header = 2;
      if (length == 126) {
        if (in_.size() - at < 4) break;
        length = (uint64_t{byte(2)} << 8) | byte(3);
        header = 4;
      } else if (length == 127) {
        if (in_.size() - at < 10) break;
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | byte(2 + i);
        header = 10;
      }
      if (in_.size() - at < header + length) break;
      std::string_view payload(in_.data() + at + header, length);
      if (opcode == 0x1 || opcode == 0x0) {
        plain->append(payload);
        if (byte(0) & 0x80) plain->push_back('\n');
      } else if (opcode == 0x9) {
        Frame(0xA, payload, wire);
      }
      // A close frame (0x8) needs nothing: the server closes the
      // connection right after it, which the pool sees as for any wire.
      at += header + length;
    }
    in_.erase(0, at);
    return true;
  }

  void Send(std::string_view lines, std::string* wire) override {
    if (!open_) {
      held_.append(lines);
      return;
    }
    while (!lines.empty()) {
      size_t lf = lines.find('\n');
      if (lf == std::string_view::npos) lf = lines.size();
      Frame(0x1, lines.substr(0, lf), wire);
      lines.remove_prefix(std::min(lines.size(), lf + 1));
    }
  }

 private:
  // A masked frame (clients must mask; the key need not be secret here).
  static void Frame(uint8_t opcode, std::string_view payload,
                    std::string* wire) {
    static constexpr char kKey[4] = {0x37, 0x5a, 0x11, 0x6c};
    wire->push_back(static_cast<char>(0x80 | opcode));
    if (payload.size() < 126) {
      wire->push_back(static_cast<char>(0x80 | payload.size()));
    } else {
      wire->push_back(static_cast<char>(0x80 | 126));
      wire->push_back(static_cast<char>(payload.size() >> 8));
      wire->push_back(static_cast<char>(payload.size() & 0xFF));
    }
    wire->append(kKey, 4);
    for (size_t i = 0; i < payload.size(); ++i) {
      wire->push_back(static_cast<char>(payload[i] ^ kKey[i % 4]));
    }
  }

  bool open_ = false;
  std::string in_;
  std::string held_;
};

}  // namespace

std::unique_ptr<Wire> MakeWire(WireKind kind) {
  switch (kind) {
    case WireKind::kPlain:
      return nullptr;
    case WireKind::kTls:
      return std::make_unique<TlsWire>();
    case WireKind::kWebSocket:
      return std::make_unique<WebSocketWire>();
  }
  return nullptr;
}

}  // namespace chat::bench
