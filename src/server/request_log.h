// RequestLog: the per-request lines of one connection's status log ("request
// LIST by Alice", "bad request by ...", refusals), held to a rate so that
// one client cannot make the log grow without bound. Past the burst, lines
// are counted instead of written, and the count is written as
// "... and 1,234 more requests" before the next line that may be written,
// or when the session ends. Connection events (accepted, JOIN accepted,
// LEFT) do not go through here and are always written.
#ifndef CHAT_SERVER_REQUEST_LOG_H_
#define CHAT_SERVER_REQUEST_LOG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "server/log.h"
#include "server/token_bucket.h"

namespace chat::server {

// 100 lines at once, then 10 a second: a person never reaches it (flood
// control alone holds a client to 5 requests a second by default), a
// flooder the limits exempt (loopback, --exempt, --flood off) writes at
// most about 1 KiB a second of log.
inline constexpr double kRequestLogBurst = 100;
inline constexpr double kRequestLogPerSecond = 10;

class RequestLog {
 public:
  // `subject` must outlive this object.
  RequestLog(const Log& log, const std::string& subject);

  // Writes `event`, or counts it if the connection is past its rate.
  void Info(std::string_view event);
  // Writes the count of lines not written, if any.
  void Flush();

  uint64_t suppressed() const { return suppressed_; }

 private:
  const Log& log_;
  const std::string& subject_;
  TokenBucket budget_;
  uint64_t suppressed_ = 0;
};

// "... and 1,234 more requests".
std::string MoreRequestsText(uint64_t count);

}  // namespace chat::server

#endif  // CHAT_SERVER_REQUEST_LOG_H_
