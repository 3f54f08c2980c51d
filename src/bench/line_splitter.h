// LineSplitter: cuts a received byte stream into LF-ended lines for the
// benchmark. Complete lines are handed out in place from the read buffer; only
// an unfinished tail is copied, so thousands of connections cost little memory.
#ifndef CHAT_BENCH_LINE_SPLITTER_H_
#define CHAT_BENCH_LINE_SPLITTER_H_

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace chat::bench {

class LineSplitter {
 public:
  // An unfinished line longer than this is a peer gone wrong, not a line.
  static constexpr size_t kMaxTail = 64 * 1024;

  // Calls on_line(line) for every line completed by `bytes`, without its LF
  // and a CR before it. Returns false if an unfinished line outgrew kMaxTail;
  // that part is then dropped.
  template <typename OnLine>
  bool Feed(std::string_view bytes, OnLine&& on_line) {
    if (!tail_.empty()) {
      const char* lf = static_cast<const char*>(
          std::memchr(bytes.data(), '\n', bytes.size()));
      if (lf == nullptr) return Keep(bytes);
      size_t used = static_cast<size_t>(lf - bytes.data());
      tail_.append(bytes.data(), used);
      Emit(tail_, on_line);
      tail_.clear();
      bytes.remove_prefix(used + 1);
    }
    while (!bytes.empty()) {
      const char* lf = static_cast<const char*>(
          std::memchr(bytes.data(), '\n', bytes.size()));
      if (lf == nullptr) return Keep(bytes);
      size_t length = static_cast<size_t>(lf - bytes.data());
      Emit(bytes.substr(0, length), on_line);
      bytes.remove_prefix(length + 1);
    }
    return true;
  }

  size_t buffered() const { return tail_.size(); }

  // Frees the tail's memory (a closed connection).
  void Release() { std::string().swap(tail_); }

 private:
  template <typename OnLine>
  static void Emit(std::string_view line, OnLine& on_line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(line);
  }

  bool Keep(std::string_view bytes) {
    if (tail_.size() + bytes.size() > kMaxTail) {
      tail_.clear();
      return false;
    }
    tail_.append(bytes);
    return true;
  }

  std::string tail_;
};

}  // namespace chat::bench

#endif  // CHAT_BENCH_LINE_SPLITTER_H_
