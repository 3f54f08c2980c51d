// TokenBucket: refill on demand from the time elapsed since the last use.
#include "server/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace chat::server {

void TokenBucket::Refill(Clock::time_point now) {
  if (now <= last_) return;
  std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * per_second_);
  last_ = now;
}

bool TokenBucket::Ready(Clock::time_point now) {
  Refill(now);
  return tokens_ >= 1.0;
}

void TokenBucket::Spend(double cost, Clock::time_point now) {
  Refill(now);
  tokens_ -= cost;
}

bool TokenBucket::TryTake(Clock::time_point now) {
  if (!Ready(now)) return false;
  tokens_ -= 1.0;
  return true;
}

TokenBucket::Clock::duration TokenBucket::UntilReady(Clock::time_point now) {
  Refill(now);
  if (tokens_ >= 1.0) return Clock::duration::zero();
  std::chrono::duration<double> wait((1.0 - tokens_) / per_second_);
  return std::chrono::ceil<Clock::duration>(wait);
}

}  // namespace chat::server
