// Progress line on stderr.
#include "bench/progress.h"

#include <unistd.h>

#include <cstdio>

#include "bench/clock.h"

namespace chat::bench {

Progress::Progress(bool enabled)
    : enabled_(enabled),
      tty_(isatty(STDERR_FILENO) == 1),
      start_ns_(NowNs()),
      next_ns_(start_ns_ + 2'000'000'000) {}

void Progress::Print(int64_t now_ns) {
  next_ns_ = now_ns + (tty_ ? 1'000'000'000 : 5'000'000'000);
  if (!status_) return;
  std::string line = status_();
  double elapsed = NsToSeconds(now_ns - start_ns_);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K[%6.1f s] %s", elapsed, line.c_str());
    open_line_ = true;
  } else {
    std::fprintf(stderr, "[%6.1f s] %s\n", elapsed, line.c_str());
  }
  std::fflush(stderr);
}

void Progress::Finish() {
  if (open_line_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    open_line_ = false;
  }
}

}  // namespace chat::bench
