// WebSocketStream: the HTTP opening, then frames in (wslay, piece by piece)
// and frames out (wslay, into out_).
#include "transport/websocket_stream.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <strings.h>

#include <algorithm>
#include <cstring>

namespace chat::transport {
namespace {

constexpr uint8_t kContinuation = 0x0;
constexpr uint8_t kText = 0x1;
constexpr uint8_t kBinary = 0x2;
constexpr uint8_t kClose = 0x8;
constexpr uint8_t kPing = 0x9;
constexpr uint8_t kPong = 0xA;

constexpr uint16_t kCloseNormal = 1000;
constexpr uint16_t kCloseGoingAway = 1001;
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseUnsupported = 1003;
constexpr uint16_t kClosePolicy = 1008;

// Frames made per Write, so that one call never builds a huge buffer.
constexpr size_t kMaxOutBatch = 64 * 1024;
// A CR or LF inside a message (PROTOCOL.md: a message is one line without
// them) is handed on as this control byte, so that the session answers the
// message with ERR Invalid Text as it would any other control character,
// instead of the line being split in two.
constexpr char kStandIn = '\x1A';

std::string AcceptKey(const std::string& key) {
  std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[20];
  if (gnutls_hash_fast(GNUTLS_DIG_SHA1, input.data(), input.size(), digest) !=
      0) {
    return {};
  }
  gnutls_datum_t raw{digest, sizeof digest};
  gnutls_datum_t encoded{};
  if (gnutls_base64_encode2(&raw, &encoded) != 0) return {};
  std::string text(reinterpret_cast<char*>(encoded.data), encoded.size);
  gnutls_free(encoded.data);
  return text;
}

// A Sec-WebSocket-Key must be base64 of 16 bytes.
bool ValidKey(const std::string& key) {
  if (key.size() != 24) return false;
  gnutls_datum_t encoded{
      reinterpret_cast<unsigned char*>(const_cast<char*>(key.data())),
      static_cast<unsigned>(key.size())};
  gnutls_datum_t raw{};
  if (gnutls_base64_decode2(&encoded, &raw) != 0) return false;
  bool ok = raw.size == 16;
  gnutls_free(raw.data);
  return ok;
}

// How a request that was not upgraded was answered, for the log.
const char* Summary(int status) {
  switch (status) {
    case 200:
      return "served the web page (200)";
    case 403:
      return "refused: Origin not allowed (403)";
    case 404:
      return "not found (404)";
    case 405:
      return "method not allowed (405)";
    case 426:
      return "not a WebSocket upgrade (426)";
    case 431:
      return "request head too large (431)";
    default:
      return "bad request (400)";
  }
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

WebSocketStream::WebSocketStream(std::unique_ptr<Stream> lower,
                                 const WebConfig& config)
    : lower_(std::move(lower)),
      config_(config),
      head_(std::make_unique<HttpRequestHead>()) {}

WebSocketStream::~WebSocketStream() {
  if (frames_ != nullptr) wslay_frame_context_free(frames_);
}

// --- The opening ----------------------------------------------------------

Result WebSocketStream::Open() {
  for (;;) {
    switch (phase_) {
      case Phase::kLowerOpening: {
        Result opened = lower_->Open();
        if (opened.status != Status::kOk) return opened;
        phase_ = Phase::kHead;
        break;
      }
      case Phase::kHead: {
        Result head = ReadHead();
        if (head.status != Status::kOk) return head;
        break;  // answered: kResponding
      }
      case Phase::kResponding: {
        Result flushed = Flush();
        if (flushed.status != Status::kOk) return flushed;
        if (has_pending_output()) return {Status::kWouldBlock};
        if (!upgrade_) {
          phase_ = Phase::kDone;
          return {Status::kClosed, 0, 0, Summary(http_status_)};
        }
        head_.reset();
        static const wslay_frame_callbacks callbacks = {
            SendCallback, ReceiveCallback, MaskCallback};
        if (wslay_frame_context_init(&frames_, &callbacks, this) != 0) {
          phase_ = Phase::kDone;
          return {Status::kError, 0, 0, "out of memory"};
        }
        phase_ = Phase::kOpen;
        return {};
      }
      case Phase::kOpen:
        return {};
      case Phase::kDone:
        return {Status::kClosed};
    }
  }
}

Result WebSocketStream::ReadHead() {
  // The head is at most HttpRequestHead::kMaxHeadBytes, so this loop reads
  // a bounded amount before it answers.
  char chunk[2048];
  for (;;) {
    Result read = lower_->Read(chunk, sizeof chunk);
    if (read.status != Status::kOk) return read;
    std::string_view bytes(chunk, read.bytes);
    size_t used = 0;
    switch (head_->Feed(bytes, &used)) {
      case HttpRequestHead::State::kNeedMore:
        continue;
      case HttpRequestHead::State::kComplete:
        leftover_.assign(bytes.substr(used));
        Answer();
        return {};
      case HttpRequestHead::State::kMalformed:
        Respond(400, "Bad Request", "", "Bad request.\n");
        return {};
      case HttpRequestHead::State::kTooLarge:
        Respond(431, "Request Header Fields Too Large", "",
                "The request head is too large.\n");
        return {};
    }
  }
}

bool WebSocketStream::OriginAllowed() const {
  if (!head_->has_origin()) return true;  // not a browser
  const std::string& origin = head_->origin();
  for (const std::string& allowed : config_.origins) {
    if (EqualsIgnoringCase(origin, allowed)) return true;
  }
  // The server's own host: the page it served opens the socket.
  size_t scheme_end = origin.find("://");
  if (scheme_end == std::string::npos || head_->host().empty()) return false;
  std::string_view scheme(origin.data(), scheme_end);
  if (!EqualsIgnoringCase(scheme, "http") &&
      !EqualsIgnoringCase(scheme, "https")) {
    return false;
  }
  return EqualsIgnoringCase(std::string_view(origin).substr(scheme_end + 3),
                            head_->host());
}

void WebSocketStream::Answer() {
  const HttpRequestHead& head = *head_;
  const bool chat = head.path() == "/chat";
  const bool page = head.path() == "/" || head.path() == "/index.html";
  if (head.method() != "GET") {
    Respond(405, "Method Not Allowed", "Allow: GET\r\n",
            "Only GET is served here.\n");
  } else if (page) {
    Respond(200, "OK",
            "Content-Security-Policy: default-src 'none'; script-src "
            "'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'\r\n"
            "Referrer-Policy: no-referrer\r\n"
            "Cache-Control: no-cache\r\n",
            config_.page, "text/html; charset=utf-8");
  } else if (!chat) {
    Respond(404, "Not Found", "", "Not found. The chat is at /.\n");
  } else if (!HeaderHasToken(head.upgrade(), "websocket") ||
             !HeaderHasToken(head.connection(), "upgrade")) {
    Respond(426, "Upgrade Required",
            "Upgrade: websocket\r\nConnection: Upgrade\r\n",
            "This address takes WebSocket connections; open / instead.\n");
  } else if (head.websocket_version() != "13") {
    Respond(426, "Upgrade Required", "Sec-WebSocket-Version: 13\r\n",
            "WebSocket version 13 is required.\n");
  } else if (!ValidKey(head.websocket_key())) {
    Respond(400, "Bad Request", "", "Missing or bad Sec-WebSocket-Key.\n");
  } else if (!OriginAllowed()) {
    Respond(403, "Forbidden", "",
            "This page's origin may not use this chat server.\n");
  } else {
    std::string accept = AcceptKey(head.websocket_key());
    std::string extra =
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        accept + "\r\n";
    if (HeaderHasToken(head.websocket_protocols(), kSubprotocol)) {
      extra += "Sec-WebSocket-Protocol: " + std::string(kSubprotocol) + "\r\n";
    }
    upgrade_ = true;
    http_status_ = 101;
    out_ += "HTTP/1.1 101 Switching Protocols\r\n" + extra + "\r\n";
    phase_ = Phase::kResponding;
  }
}

void WebSocketStream::Respond(int status, std::string_view reason,
                              std::string_view extra_headers,
                              std::string_view body,
                              std::string_view content_type) {
  http_status_ = status;
  out_ += "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
          "\r\nContent-Type: " + std::string(content_type) +
          "\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n";
  out_ += extra_headers;
  out_ += "\r\n";
  out_ += body;
  phase_ = Phase::kResponding;
}

// --- Frames ---------------------------------------------------------------

ssize_t WebSocketStream::ReceiveCallback(uint8_t* buffer, size_t length, int,
                                         void* user) {
  auto* self = static_cast<WebSocketStream*>(user);
  if (self->leftover_head_ < self->leftover_.size()) {
    size_t n = std::min(length, self->leftover_.size() - self->leftover_head_);
    std::memcpy(buffer, self->leftover_.data() + self->leftover_head_, n);
    self->leftover_head_ += n;
    if (self->leftover_head_ == self->leftover_.size()) {
      std::string().swap(self->leftover_);
      self->leftover_head_ = 0;
    }
    return static_cast<ssize_t>(n);
  }
  Result read = self->lower_->Read(reinterpret_cast<char*>(buffer), length);
  if (read.status == Status::kOk) return static_cast<ssize_t>(read.bytes);
  if (read.status != Status::kWouldBlock) {
    self->lower_ended_ = true;
    self->lower_end_ = read;
  }
  return -1;  // wslay: want read
}

ssize_t WebSocketStream::SendCallback(const uint8_t* data, size_t length, int,
                                      void* user) {
  auto* self = static_cast<WebSocketStream*>(user);
  self->out_.append(reinterpret_cast<const char*>(data), length);
  return static_cast<ssize_t>(length);
}

int WebSocketStream::MaskCallback(uint8_t*, size_t, void*) {
  return -1;  // a server's frames are never masked
}

void WebSocketStream::SendFrame(uint8_t opcode, std::string_view payload) {
  if (close_sent_ || frames_ == nullptr) return;
  wslay_frame_iocb frame{};
  frame.fin = 1;
  frame.opcode = opcode;
  frame.payload_length = payload.size();
  frame.data = reinterpret_cast<const uint8_t*>(payload.data());
  frame.data_length = payload.size();
  // SendCallback takes everything, so one call sends the whole frame.
  (void)wslay_frame_send(frames_, &frame);
  if (opcode == kClose) close_sent_ = true;
}

void WebSocketStream::SendClose(uint16_t code) {
  char payload[2] = {static_cast<char>(code >> 8),
                     static_cast<char>(code & 0xFF)};
  SendFrame(kClose, std::string_view(payload, 2));
}

bool WebSocketStream::OnFramePiece(const wslay_frame_iocb& piece) {
  if (!in_frame_) {
    in_frame_ = true;
    opcode_ = piece.opcode;
    fin_ = piece.fin != 0;
    frame_left_ = piece.payload_length;
    control_.clear();
    // Clients must mask, and no extension was agreed on.
    if (!piece.mask || piece.rsv != 0) {
      SendClose(kCloseProtocolError);
      return false;
    }
    switch (opcode_) {
      case kText:
        if (in_message_) {
          SendClose(kCloseProtocolError);
          return false;
        }
        in_message_ = true;
        break;
      case kContinuation:
        if (!in_message_) {
          SendClose(kCloseProtocolError);
          return false;
        }
        break;
      case kBinary:
        SendClose(kCloseUnsupported);
        return false;
      case kClose:
      case kPing:
      case kPong:
        break;
      default:
        SendClose(kCloseProtocolError);
        return false;
    }
  }
  frame_left_ -= std::min<uint64_t>(frame_left_, piece.data_length);
  std::string_view data(reinterpret_cast<const char*>(piece.data),
                        piece.data_length);
  const bool text = opcode_ == kText || opcode_ == kContinuation;
  if (text) {
    text_ = data;
  } else {
    control_.append(data);  // at most 125 bytes (wslay checks)
  }
  if (frame_left_ != 0) return true;
  in_frame_ = false;
  if (text) {
    if (fin_) {
      in_message_ = false;
      end_of_line_ = true;
    }
  } else if (opcode_ == kPing) {
    SendFrame(kPong, control_);
  } else if (opcode_ == kClose) {
    close_received_ = true;
    // Echo the peer's code (RFC 6455 5.5.1), or say normal closure.
    if (control_.size() >= 2) {
      SendFrame(kClose, std::string_view(control_).substr(0, 2));
    } else {
      SendClose(kCloseNormal);
    }
  }
  return true;
}

void WebSocketStream::CopyText(std::string_view piece, char* out) {
  for (size_t i = 0; i < piece.size(); ++i) {
    char c = piece[i];
    out[i] = (c == '\n' || c == '\r') ? kStandIn : c;
  }
}

Result WebSocketStream::Read(char* buffer, size_t capacity) {
  if (phase_ != Phase::kOpen) {
    Result opened = Open();
    if (opened.status != Status::kOk) return opened;
  }
  size_t n = 0;
  maybe_more_ = false;
  // Each turn hands over a piece or takes one from wslay, which reads at
  // most one lower Read per call: bounded by the lower stream's data.
  while (n < capacity) {
    if (!text_.empty()) {
      size_t take = std::min(text_.size(), capacity - n);
      CopyText(text_.substr(0, take), buffer + n);
      n += take;
      text_.remove_prefix(take);
      continue;
    }
    if (end_of_line_) {
      buffer[n++] = '\n';
      end_of_line_ = false;
      continue;
    }
    if (close_received_ || close_sent_) break;
    wslay_frame_iocb piece{};
    ssize_t r = wslay_frame_recv(frames_, &piece);
    if (r == WSLAY_ERR_WANT_READ) break;
    if (r < 0) {  // WSLAY_ERR_PROTO: a malformed frame header
      SendClose(kCloseProtocolError);
      break;
    }
    if (!OnFramePiece(piece)) break;
  }
  if (n > 0) {
    maybe_more_ = n == capacity;
    return {Status::kOk, n};
  }
  if (close_received_ || close_sent_) {
    Flush();  // the close frame, best effort
    return {Status::kClosed, 0, 0,
            close_received_ ? nullptr : "websocket protocol violation"};
  }
  if (lower_ended_) return lower_end_;
  return {Status::kWouldBlock};
}

Result WebSocketStream::Flush() {
  if (lower_->has_pending_output()) {
    Result flushed = lower_->Flush();
    if (flushed.status != Status::kOk) return flushed;
  }
  while (out_head_ < out_.size()) {
    Result written = lower_->Write(std::string_view(out_).substr(out_head_));
    if (written.status != Status::kOk) {
      return written.status == Status::kWouldBlock ? Result{} : written;
    }
    out_head_ += written.bytes;
  }
  if (out_head_ == out_.size()) {
    // Keep a small buffer for the next lines; give a big one back.
    if (out_.capacity() > 16384) {
      std::string().swap(out_);
    } else {
      out_.clear();
    }
    out_head_ = 0;
  }
  return {};
}

Result WebSocketStream::Write(std::string_view bytes) {
  if (phase_ != Phase::kOpen) {
    Result opened = Open();
    if (opened.status != Status::kOk) return opened;
  }
  if (close_sent_) return {Status::kClosed};
  if (has_pending_output()) {
    Result flushed = Flush();
    if (flushed.status != Status::kOk) return flushed;
    if (has_pending_output()) return {Status::kWouldBlock};
  }
  size_t taken = 0;
  while (taken < bytes.size() && out_.size() < kMaxOutBatch) {
    size_t lf = bytes.find('\n', taken);
    if (lf == std::string_view::npos) break;  // only whole lines are framed
    std::string_view line = bytes.substr(taken, lf - taken);
    if (!line.empty()) SendFrame(kText, line);
    taken = lf + 1;
  }
  Result flushed = Flush();
  if (flushed.status != Status::kOk) return flushed;
  if (taken == 0) return {Status::kWouldBlock};
  return {Status::kOk, taken};
}

bool WebSocketStream::has_buffered_input() const {
  if (phase_ != Phase::kOpen) return lower_->has_buffered_input();
  return maybe_more_ || !text_.empty() || end_of_line_ ||
         leftover_head_ < leftover_.size() || lower_->has_buffered_input();
}

short WebSocketStream::Events(bool want_read, bool want_write) const {
  switch (phase_) {
    case Phase::kLowerOpening:
      return lower_->Events(true, false);
    case Phase::kHead:
      return lower_->Events(true, false);
    case Phase::kResponding:
      return lower_->Events(false, true);
    case Phase::kOpen:
      return lower_->Events(want_read, want_write || has_pending_output());
    case Phase::kDone:
      return 0;
  }
  return 0;
}

void WebSocketStream::Close(CloseReason reason) {
  if (phase_ == Phase::kOpen && !close_sent_) {
    SendClose(reason == CloseReason::kNormal      ? kCloseNormal
              : reason == CloseReason::kGoingAway ? kCloseGoingAway
                                                  : kClosePolicy);
    Flush();
  }
  lower_->Close(reason);
}

}  // namespace chat::transport
