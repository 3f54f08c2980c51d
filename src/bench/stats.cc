// Latency statistics: nearest-rank percentiles and a summary.
#include "bench/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace chat::bench {

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // Rank ceil(p/100 * n), 1-based; p = 0 means the smallest.
  auto rank = static_cast<size_t>(
      std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  if (rank == 0) rank = 1;
  return sorted[rank - 1];
}

Summary Summarize(std::vector<int64_t> samples) {
  Summary summary;
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  summary.count = samples.size();
  summary.p50 = static_cast<double>(Percentile(samples, 50));
  summary.p90 = static_cast<double>(Percentile(samples, 90));
  summary.p99 = static_cast<double>(Percentile(samples, 99));
  summary.max = static_cast<double>(samples.back());
  long double total = std::accumulate(samples.begin(), samples.end(), 0.0L);
  summary.mean = static_cast<double>(total / samples.size());
  return summary;
}

double PerSecond(double count, double seconds) {
  return seconds > 0 ? count / seconds : 0;
}

}  // namespace chat::bench
