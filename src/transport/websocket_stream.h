// WebSocketStream: the web port. Over a lower stream (plain TCP or TLS) it
// reads one HTTP/1.1 request head; GET / is answered with the web page,
// GET /chat with a WebSocket upgrade (RFC 6455), anything else with an
// HTTP error, and only an upgraded connection carries lines: one text
// message per line, without its LF, in both directions.
//
// Incoming frames are parsed with libwslay's frame API, which fits a
// non-blocking loop (it reads through a callback and says "want read") and
// hands payload over in pieces as it arrives, so a message is never
// gathered whole: its bytes go on to the session's line assembler, which
// applies the protocol's limits (ERR Line Too Long, ERR Invalid Text)
// exactly as on the plain port. Outgoing frames are made by wslay into this
// stream's own buffer.
#ifndef CHAT_TRANSPORT_WEBSOCKET_STREAM_H_
#define CHAT_TRANSPORT_WEBSOCKET_STREAM_H_

#include <wslay/wslay.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transport/http_request.h"
#include "transport/stream.h"

namespace chat::transport {

struct WebConfig {
  std::string_view page;  // the web client, served at GET /
  // Origins allowed besides the server's own host, e.g.
  // "https://chat.example.org" (compared without regard to case).
  std::vector<std::string> origins;
};

// The subprotocol named in PROTOCOL.md "Ways in".
inline constexpr std::string_view kSubprotocol = "text.chat-server";

class WebSocketStream final : public Stream {
 public:
  // `config` must outlive the stream.
  WebSocketStream(std::unique_ptr<Stream> lower, const WebConfig& config);
  ~WebSocketStream() override;

  int fd() const override { return lower_->fd(); }
  bool established() const override { return phase_ == Phase::kOpen; }
  Result Open() override;
  Result Read(char* buffer, size_t capacity) override;
  Result Write(std::string_view bytes) override;
  bool has_pending_output() const override {
    return out_head_ < out_.size() || lower_->has_pending_output();
  }
  Result Flush() override;
  bool has_buffered_input() const override;
  short Events(bool want_read, bool want_write) const override;
  void Close(CloseReason reason) override;
  const char* name() const override {
    return std::string_view(lower_->name()) == "tls" ? "web-tls" : "web";
  }

  // The HTTP status the request got (0 before the head was read).
  int http_status() const { return http_status_; }

 private:
  enum class Phase { kLowerOpening, kHead, kResponding, kOpen, kDone };

  static ssize_t ReceiveCallback(uint8_t* buffer, size_t length, int flags,
                                 void* user);
  static ssize_t SendCallback(const uint8_t* data, size_t length, int flags,
                              void* user);
  static int MaskCallback(uint8_t* buffer, size_t length, void* user);

  Result ReadHead();
  // Chooses the answer to the request head and queues it.
  void Answer();
  void Respond(int status, std::string_view reason,
               std::string_view extra_headers, std::string_view body,
               std::string_view content_type = "text/plain; charset=utf-8");
  bool OriginAllowed() const;
  // Handles one piece of a frame from wslay; false on a protocol error
  // (a close frame is then queued).
  bool OnFramePiece(const wslay_frame_iocb& piece);
  void SendFrame(uint8_t opcode, std::string_view payload);
  void SendClose(uint16_t code);
  // Copies `piece` of a text message into `out` as line bytes.
  static void CopyText(std::string_view piece, char* out);

  std::unique_ptr<Stream> lower_;
  const WebConfig& config_;
  Phase phase_ = Phase::kLowerOpening;
  std::unique_ptr<HttpRequestHead> head_;
  bool upgrade_ = false;
  int http_status_ = 0;
  std::string leftover_;  // bytes read after the head, for the frames
  size_t leftover_head_ = 0;

  std::string out_;  // bytes owed to the lower stream
  size_t out_head_ = 0;

  wslay_frame_context_ptr frames_ = nullptr;
  bool in_frame_ = false;
  uint8_t opcode_ = 0;
  bool fin_ = false;
  uint64_t frame_left_ = 0;
  bool in_message_ = false;   // a text message has begun, not ended
  bool end_of_line_ = false;  // a message ended: its LF is owed
  std::string control_;       // a ping's or close's payload so far
  std::string_view text_;     // payload received, not yet handed over
  bool maybe_more_ = false;   // the last Read filled its buffer
  Result lower_end_;          // how the lower stream ended, if it did
  bool lower_ended_ = false;
  bool close_received_ = false;
  bool close_sent_ = false;
};

}  // namespace chat::transport

#endif  // CHAT_TRANSPORT_WEBSOCKET_STREAM_H_
