// TokenBucket: a budget that fills at a steady rate up to a burst, the rule
// behind flood control (flood.h) and the summarising of a connection's
// request log lines (request_log.h). Times are passed in, so the bucket does
// no I/O and its tests need no clock.
#ifndef CHAT_SERVER_TOKEN_BUCKET_H_
#define CHAT_SERVER_TOKEN_BUCKET_H_

#include <chrono>
#include <cstdint>

namespace chat::server {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full: `burst` tokens, refilled at `per_second` (both > 0).
  TokenBucket(double burst, double per_second, Clock::time_point now)
      : burst_(burst), per_second_(per_second), tokens_(burst), last_(now) {}

  // Whether a token is there to spend (the balance is at least 1).
  bool Ready(Clock::time_point now);
  // Spends `cost` tokens; the balance may go below zero (a costly request
  // taken on the last token), and the debt is paid back by waiting.
  void Spend(double cost, Clock::time_point now);
  // Spends one token if there is one.
  bool TryTake(Clock::time_point now);
  // Time until Ready(); zero when it already is.
  Clock::duration UntilReady(Clock::time_point now);

  double tokens(Clock::time_point now) {
    Refill(now);
    return tokens_;
  }

 private:
  void Refill(Clock::time_point now);

  double burst_;
  double per_second_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_TOKEN_BUCKET_H_
