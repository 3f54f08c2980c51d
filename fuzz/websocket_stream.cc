// Fuzz target: WebSocket frames from a client, through WebSocketStream (and
// libwslay under it) as the worker drives it. The lower stream lives in
// memory: it hands the input over in pieces, now and then says "would
// block", and takes what the stream writes, sometimes only in part. Half of
// the runs open with a valid upgrade so that the mutations go to the frames;
// the other half send the input as the request head itself.
#include "transport/websocket_stream.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "transport/stream.h"

namespace {

using chat::fuzz::Check;

using chat::transport::Result;
using chat::transport::Status;

constexpr std::string_view kUpgrade =
    "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: text.chat-server\r\n"
    "\r\n";

// A peer in memory, scripted by the fuzzer's bytes.
class MemoryStream final : public chat::transport::Stream {
 public:
  MemoryStream(FuzzedDataProvider* script, std::string prefix)
      : script_(script), pending_(std::move(prefix)) {}

  int fd() const override { return -1; }
  Result Read(char* buffer, size_t capacity) override {
    if (pending_.empty()) {
      if (script_->remaining_bytes() == 0) return {Status::kClosed};
      if (script_->ConsumeIntegralInRange<int>(0, 7) == 0) {
        return {Status::kWouldBlock};
      }
      pending_ = script_->ConsumeBytesAsString(
          script_->ConsumeIntegralInRange<size_t>(1, 300));
      if (pending_.empty()) return {Status::kClosed};
    }
    size_t n = std::min(capacity, pending_.size());
    std::memcpy(buffer, pending_.data(), n);
    pending_.erase(0, n);
    return {Status::kOk, n};
  }
  Result Write(std::string_view bytes) override {
    // Takes everything, or half when the fuzzer says the socket is full.
    size_t n = bytes.size();
    if (n > 1 && script_->remaining_bytes() > 0 && script_->ConsumeBool()) {
      n /= 2;
    }
    written_ += n;
    return {Status::kOk, n};
  }
  const char* name() const override { return "tcp"; }

 private:
  FuzzedDataProvider* script_;
  std::string pending_;
  size_t written_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider script(data, size);
  const bool upgraded = script.ConsumeBool();
  static const chat::transport::WebConfig config{"<!doctype html>page", {}};
  chat::transport::WebSocketStream stream(
      std::make_unique<MemoryStream>(&script,
                                     std::string(upgraded ? kUpgrade : "")),
      config);
  char buffer[512];
  // Every turn consumes input or ends: bounded by the input's size.
  for (size_t turn = 0; turn < 4 * size + 64; ++turn) {
    Result read = stream.Read(buffer, sizeof buffer);
    if (read.status == Status::kOk) {
      Check(read.bytes > 0 && read.bytes <= sizeof buffer);
      // Line bytes only: a message's own CR and LF were replaced.
      std::string_view bytes(buffer, read.bytes);
      Check(bytes.find('\r') == std::string_view::npos);
      // Now and then answer a line, as the session would.
      if (bytes.back() == '\n') (void)stream.Write("OK PING\n");
      continue;
    }
    if (read.status == Status::kWouldBlock) {
      if (script.remaining_bytes() == 0) break;
      continue;
    }
    break;  // closed or failed
  }
  stream.Flush();
  stream.Close(chat::transport::CloseReason::kNormal);
  return 0;
}
