// The status log: timestamps, levels, and one bounded write() per line.
#include "server/log.h"

#include <limits.h>
#include <time.h>

#include <cstdio>
#include <cstring>

#include "ipc/io.h"

namespace chat::server {
namespace {

// A write of at most PIPE_BUF bytes to a pipe is atomic, so lines from
// different processes cannot be mixed byte by byte. Longer lines (only a long
// message text under -v) are cut.
constexpr size_t kMaxLine = PIPE_BUF;
constexpr std::string_view kCut = "...";

std::string Timestamp() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec,
                static_cast<int>(now.tv_nsec / 1000000));
  return text;
}

}  // namespace

void Log::Info(std::string_view subject, std::string_view event) const {
  if (info()) Write(subject, "", event);
}

void Log::Error(std::string_view subject, std::string_view event) const {
  Write(subject, "error: ", event);
}

void Log::Write(std::string_view subject, std::string_view marker,
                std::string_view event) const {
  std::string line = Timestamp();
  line += ' ';
  line += subject;
  line += ": ";
  line += marker;
  line += event;
  if (line.size() + 1 > kMaxLine) {
    line.resize(kMaxLine - 1 - kCut.size());
    line += kCut;
  }
  line += '\n';
  // Nothing useful can be done when the log itself cannot be written.
  (void)ipc::WriteAll(fd_, line);
}

std::string ClientSubject(int fd, pid_t pid) {
  return "fd " + std::to_string(fd) + " pid " + std::to_string(pid);
}

std::string ErrnoText(std::string_view what, int error) {
  std::string text(what);
  text += ": ";
  text += std::strerror(error);
  return text;
}

}  // namespace chat::server
