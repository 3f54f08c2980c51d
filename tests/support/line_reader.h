// LineReader: reads LF-ended lines from an fd with a deadline, for tests that
// wait on what a real process or server actually sent.
#ifndef CHAT_TESTS_SUPPORT_LINE_READER_H_
#define CHAT_TESTS_SUPPORT_LINE_READER_H_

#include <chrono>
#include <optional>
#include <string>

namespace chat::test {

// How long a test waits for something that should happen promptly. Only a
// failing test ever waits this long.
inline constexpr std::chrono::milliseconds kEventTimeout{5000};

class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}

  // The next line without its LF (a CR before it is kept), or nullopt on
  // timeout or end of file (then eof() tells which).
  std::optional<std::string> ReadLine(
      std::chrono::milliseconds timeout = kEventTimeout);

  // Reads until end of file; returns every byte that arrived. False on
  // timeout.
  bool ReadToEof(std::string* all,
                 std::chrono::milliseconds timeout = kEventTimeout);

  bool eof() const { return eof_; }
  // Bytes received but not yet returned as a line.
  const std::string& pending() const { return buffer_; }

 private:
  // Waits for and appends one read's worth; false on timeout, EOF or error.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace chat::test

#endif  // CHAT_TESTS_SUPPORT_LINE_READER_H_
