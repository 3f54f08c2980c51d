// OutputBuffer: front consumption with lazy compaction, so writing a big
// buffer out in many small pieces stays linear.
#include "server/output_buffer.h"

namespace chat::server {
namespace {

// Written bytes are moved out only once they are many and at least half of
// the buffer, so the copying costs O(1) amortised per byte.
constexpr size_t kCompactAt = 64 * 1024;
// An emptied buffer keeps at most this much memory: a burst that the client
// was slow to take should not leave the worker owning its pages for the rest
// of the session.
constexpr size_t kKeepCapacity = 4096;

}  // namespace

void OutputBuffer::Consume(size_t bytes) {
  if (bytes == 0) return;
  mid_line_ = data_[head_ + bytes - 1] != '\n';
  head_ += bytes;
  if (head_ == data_.size()) {
    if (data_.capacity() > kKeepCapacity) {
      std::string().swap(data_);
    } else {
      data_.clear();
    }
    head_ = 0;
  } else if (head_ >= kCompactAt && head_ * 2 >= data_.size()) {
    data_.erase(0, head_);
    head_ = 0;
  }
}

void OutputBuffer::DropAllButCurrentLine() {
  size_t keep_until = head_;
  if (mid_line_) {
    size_t lf = data_.find('\n', head_);
    keep_until = lf == std::string::npos ? data_.size() : lf + 1;
  }
  data_.resize(keep_until);
}

}  // namespace chat::server
