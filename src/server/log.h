// The status log: one line per event on stderr (or any fd), each written with
// a single write() so that lines from the broker and from every worker, all
// sharing the same stderr, never interleave.
//
// Line format: "<UTC time, ms> <subject>: <event>", and for errors
// "<UTC time, ms> <subject>: error: <event>". The subject is "server" for
// the broker's own events and "fd N pid P" for a connection (its socket fd
// and its worker's pid).
#ifndef CHAT_SERVER_LOG_H_
#define CHAT_SERVER_LOG_H_

#include <sys/types.h>

#include <string>
#include <string_view>

namespace chat::server {

enum class LogLevel {
  kError,    // -q: errors only
  kInfo,     // the default: every event, no message texts
  kVerbose,  // -v: message texts too
};

class Log {
 public:
  explicit Log(int fd = 2, LogLevel level = LogLevel::kInfo)
      : fd_(fd), level_(level) {}

  bool info() const { return level_ >= LogLevel::kInfo; }
  bool verbose() const { return level_ >= LogLevel::kVerbose; }

  void Info(std::string_view subject, std::string_view event) const;
  void Error(std::string_view subject, std::string_view event) const;

 private:
  void Write(std::string_view subject, std::string_view marker,
             std::string_view event) const;

  int fd_;
  LogLevel level_;
};

inline constexpr std::string_view kServerSubject = "server";

// "fd N pid P".
std::string ClientSubject(int fd, pid_t pid);

// "<what>: <strerror(error)>".
std::string ErrnoText(std::string_view what, int error);

}  // namespace chat::server

#endif  // CHAT_SERVER_LOG_H_
