// Fuzz target: the HTTP request head of the web port, fed in pieces as the
// worker reads them. Checks what HttpRequestHead promises: it stops at the
// head's end and says how much of the last piece was head, it never keeps
// more than a bounded head, and a finished parse stays finished.
#include "transport/http_request.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/check.h"

namespace {

using chat::fuzz::Check;

using chat::transport::HttpRequestHead;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  HttpRequestHead head;
  size_t fed = 0;
  HttpRequestHead::State state = HttpRequestHead::State::kNeedMore;
  while (input.remaining_bytes() > 0) {
    size_t length = input.ConsumeIntegralInRange<size_t>(1, 512);
    std::string piece = input.ConsumeBytesAsString(length);
    size_t used = piece.size() + 1;
    state = head.Feed(piece, &used);
    if (state == HttpRequestHead::State::kNeedMore) {
      fed += piece.size();
      Check(fed <= HttpRequestHead::kMaxHeadBytes);
      continue;
    }
    if (state == HttpRequestHead::State::kComplete) {
      Check(used <= piece.size());
      fed += used;
      Check(fed <= HttpRequestHead::kMaxHeadBytes);
    }
    break;
  }
  // What the web port reads of a finished head.
  size_t kept = head.method().size() + head.path().size() + head.host().size() +
                head.origin().size() + head.upgrade().size() +
                head.connection().size() + head.websocket_key().size() +
                head.websocket_version().size() +
                head.websocket_protocols().size();
  // Bounded by the head (a repeated field adds a comma, never more).
  Check(kept <= 2 * HttpRequestHead::kMaxHeadBytes);
  if (state == HttpRequestHead::State::kComplete) {
    Check(!head.method().empty());
    (void)chat::transport::HeaderHasToken(head.upgrade(), "websocket");
    (void)chat::transport::HeaderHasToken(head.connection(), "upgrade");
    // More bytes after the end change nothing.
    size_t used = 0;
    std::string path = head.path();
    head.Feed("GET /x HTTP/1.1\r\nHost: y\r\n\r\n", &used);
    Check(head.path() == path);
  }
  return 0;
}
