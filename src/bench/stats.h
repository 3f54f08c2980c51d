// Latency statistics for the benchmark: percentiles over recorded samples.
#ifndef CHAT_BENCH_STATS_H_
#define CHAT_BENCH_STATS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chat::bench {

struct Summary {
  size_t count = 0;
  // In the samples' unit; all 0 when there are no samples.
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

// Nearest-rank percentile (p in [0, 100]) of ascending `sorted`; 0 if empty.
// Nearest rank reports a value that was really measured, never an
// interpolation between two.
int64_t Percentile(const std::vector<int64_t>& sorted, double p);

// Sorts `samples` and summarises them.
Summary Summarize(std::vector<int64_t> samples);

// Ratio of two counts as a per-second rate; 0 when `seconds` is not positive.
double PerSecond(double count, double seconds);

}  // namespace chat::bench

#endif  // CHAT_BENCH_STATS_H_
