// LineReader: poll()-bounded line reads for tests.
#include "support/line_reader.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

namespace chat::test {

bool LineReader::Fill(std::chrono::steady_clock::time_point deadline) {
  if (eof_) return false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return false;
    pollfd pfd{fd_, POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(left.count()) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char chunk[65536];
    ssize_t n = read(fd_, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {  // ECONNRESET counts as the end too
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

std::optional<std::string> LineReader::ReadLine(
    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t scanned = 0;
  for (;;) {
    size_t lf = buffer_.find('\n', scanned);
    if (lf != std::string::npos) {
      std::string line = buffer_.substr(0, lf);
      buffer_.erase(0, lf + 1);
      return line;
    }
    scanned = buffer_.size();
    if (!Fill(deadline)) return std::nullopt;
  }
}

bool LineReader::ReadToEof(std::string* all,
                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!eof_) {
    if (!Fill(deadline) && !eof_) return false;
  }
  *all = std::move(buffer_);
  buffer_.clear();
  return true;
}

}  // namespace chat::test
