// RequestLog: a TokenBucket in front of Log::Info.
#include "server/request_log.h"

namespace chat::server {

RequestLog::RequestLog(const Log& log, const std::string& subject)
    : log_(log),
      subject_(subject),
      budget_(kRequestLogBurst, kRequestLogPerSecond,
              TokenBucket::Clock::now()) {}

void RequestLog::Info(std::string_view event) {
  if (!log_.info()) return;
  if (!budget_.TryTake(TokenBucket::Clock::now())) {
    ++suppressed_;
    return;
  }
  Flush();
  log_.Info(subject_, event);
}

void RequestLog::Flush() {
  if (suppressed_ == 0) return;
  log_.Info(subject_, MoreRequestsText(suppressed_));
  suppressed_ = 0;
}

std::string MoreRequestsText(uint64_t count) {
  std::string digits = std::to_string(count);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return "... and " + grouped + " more requests";
}

}  // namespace chat::server
