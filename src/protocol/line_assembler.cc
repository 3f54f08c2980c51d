// LineAssembler: framing of the received byte stream into lines, with the
// over-long line cut short as it arrives so that it never costs more than
// max_line_bytes + 2 bytes of memory.
#include "protocol/line_assembler.h"

#include <cstring>

namespace chat::protocol {

LineAssembler::LineAssembler(size_t max_line_bytes)
    : max_line_bytes_(max_line_bytes), keep_bytes_(max_line_bytes + 2) {}

void LineAssembler::Compact(size_t incoming) {
  if (start_ == buffer_.size()) {
    // Everything was consumed: clearing keeps the capacity and moves nothing.
    buffer_.clear();
    start_ = 0;
    return;
  }
  // Moving the live bytes is paid for by the dead bytes it frees (at least as
  // many), which keeps the cost amortised O(1) per byte; and it is done only
  // when the append would otherwise reallocate.
  const size_t live = buffer_.size() - start_;
  if (start_ > 0 && start_ >= live &&
      buffer_.size() + incoming > buffer_.capacity()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
}

void LineAssembler::Append(std::string_view bytes) {
  Compact(bytes.size());
  if (tail_bytes_ + bytes.size() <= keep_bytes_) {
    // No line in this chunk can reach the cap: copy it whole. Only the bytes
    // after its last LF (usually few: reads tend to end at a line end) are
    // looked at to know how long the unfinished line now is.
    buffer_.append(bytes);
    const size_t lf = bytes.rfind('\n');
    tail_bytes_ = lf == std::string_view::npos ? tail_bytes_ + bytes.size()
                                               : bytes.size() - lf - 1;
    return;
  }
  // Copy verbatim runs, leaving out what lies beyond the cap of each line.
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  const char* run = p;  // first byte not yet copied nor dropped
  while (p < end) {
    const char* lf = static_cast<const char*>(
        std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* stop = lf != nullptr ? lf : end;
    const size_t piece = static_cast<size_t>(stop - p);
    if (tail_bytes_ + piece > keep_bytes_) {
      const size_t keep = keep_bytes_ - tail_bytes_;
      buffer_.append(run, static_cast<size_t>(p + keep - run));
      tail_bytes_ = keep_bytes_;
      run = stop;  // the LF, if any, starts the next run
    } else {
      tail_bytes_ += piece;
    }
    if (lf == nullptr) break;
    tail_bytes_ = 0;
    p = lf + 1;
  }
  buffer_.append(run, static_cast<size_t>(end - run));
}

bool LineAssembler::UnterminatedIsTooLong() const {
  // With n bytes and no LF yet, the content is at least n - 1 (a final CR may
  // still be dropped by an LF to come), and exactly n if the last byte is not
  // a CR. So max + 1 bytes ending in CR are not yet proof; max + 2 are.
  const size_t n = buffer_.size() - start_;
  if (n > max_line_bytes_ + 1) return true;
  return n == max_line_bytes_ + 1 && buffer_.back() != '\r';
}

LineAssembler::Status LineAssembler::Next(std::string_view* line) {
  *line = {};
  for (;;) {
    const char* const base = buffer_.data();
    const size_t size = buffer_.size();
    const size_t from = start_ + scanned_;
    const char* lf = from < size ? static_cast<const char*>(std::memchr(
                                       base + from, '\n', size - from))
                                 : nullptr;
    if (discarding_) {
      if (lf == nullptr) {
        // Still inside the over-long line: nothing of it is worth keeping.
        start_ = size;
        scanned_ = 0;
        return Status::kNeedMore;
      }
      start_ = static_cast<size_t>(lf - base) + 1;
      scanned_ = 0;
      discarding_ = false;
      continue;
    }
    if (lf == nullptr) {
      scanned_ = size - start_;
      if (!UnterminatedIsTooLong()) return Status::kNeedMore;
      discarding_ = true;
      start_ = size;
      scanned_ = 0;
      return Status::kTooLong;
    }
    const size_t lf_at = static_cast<size_t>(lf - base);
    size_t length = lf_at - start_;
    if (length > 0 && base[lf_at - 1] == '\r') --length;
    const size_t begin = start_;
    start_ = lf_at + 1;
    scanned_ = 0;
    if (length > max_line_bytes_) return Status::kTooLong;
    *line = std::string_view(base + begin, length);
    return Status::kLine;
  }
}

}  // namespace chat::protocol
