// The benchmark's one clock: CLOCK_MONOTONIC in nanoseconds.
#ifndef CHAT_BENCH_CLOCK_H_
#define CHAT_BENCH_CLOCK_H_

#include <time.h>

#include <cstdint>

namespace chat::bench {

inline int64_t NowNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

inline int64_t SecondsToNs(double seconds) {
  return static_cast<int64_t>(seconds * 1e9);
}

inline double NsToSeconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

inline double NsToMicros(int64_t ns) { return static_cast<double>(ns) / 1e3; }

}  // namespace chat::bench

#endif  // CHAT_BENCH_CLOCK_H_
