// fork: no server involved. Measures the least a process per session costs
// on this machine: fork() of a small process, its _exit(), and waitpid() in
// the parent. A server that forks for each connection cannot churn sessions
// faster than this allows per CPU, whatever else it does.
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench/clock.h"
#include "bench/process_stats.h"
#include "bench/scenario.h"
#include "bench/stats.h"

namespace chat::bench {
namespace {

int64_t OwnRssKib() {
  std::ifstream file("/proc/self/status");
  std::string text((std::istreambuf_iterator<char>(file)),
                   std::istreambuf_iterator<char>());
  return KibField(text, "VmRSS").value_or(0);
}

}  // namespace

Report RunFork(const RunContext& context) {
  const Options& options = context.options;
  Report report = NewLocalReport(context);
  report.Param("forks", options.messages, "processes created and reaped");
  std::vector<int64_t> samples;
  samples.reserve(static_cast<size_t>(options.messages));
  const int64_t deadline = NowNs() + SecondsToNs(options.timeout);
  const int64_t start = NowNs();
  for (int64_t i = 0; i < options.messages && NowNs() < deadline; ++i) {
    int64_t before = NowNs();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) {
      MarkIncomplete(std::string("fork: ") + std::strerror(errno), &report);
      break;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    samples.push_back(NowNs() - before);
  }
  double seconds = NsToSeconds(NowNs() - start);
  Summary summary = Summarize(samples);
  report.Figure("parent_rss_kib", OwnRssKib(),
                "resident size of the forking process");
  report.Figure("p50_us", NsToMicros(static_cast<int64_t>(summary.p50)),
                "fork + _exit + waitpid, median");
  report.Figure("p99_us", NsToMicros(static_cast<int64_t>(summary.p99)));
  report.Figure("mean_us", NsToMicros(static_cast<int64_t>(summary.mean)));
  report.Figure("forks_per_s",
                PerSecond(static_cast<double>(summary.count), seconds),
                "one after another, on one CPU");
  const int64_t shortfall = CountDeliveries(
      options.messages, static_cast<int64_t>(summary.count), &report);
  if (shortfall > 0) report.completed = false;
  return report;
}

}  // namespace chat::bench
