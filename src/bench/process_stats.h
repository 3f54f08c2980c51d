// The server as /proc shows it: a process and all its descendants, with their
// proportional set size (Pss, from smaps_rollup) and CPU time summed, so a
// forking server and a single-process one are measured the same way.
#ifndef CHAT_BENCH_PROCESS_STATS_H_
#define CHAT_BENCH_PROCESS_STATS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace chat::bench {

// The fields of /proc/PID/stat the benchmark uses; times in clock ticks.
struct StatFields {
  pid_t ppid = 0;
  int64_t minflt = 0, cminflt = 0;  // minor page faults: own, reaped children
  int64_t utime = 0, stime = 0, cutime = 0, cstime = 0;
};
std::optional<StatFields> ParseStat(std::string_view text);

// A "Key:  N kB" figure of /proc/PID/smaps_rollup or /proc/PID/status, by
// its key: "Pss", "Pss_Anon", "VmPTE", ...
std::optional<int64_t> KibField(std::string_view smaps_rollup,
                                std::string_view key);

// `root` and every live descendant, root first; empty if root is gone. Uses
// /proc/PID/task/TID/children where the kernel has it, else every process's
// parent from /proc/*/stat.
std::vector<pid_t> ProcessTree(pid_t root);

struct TreeSample {
  int processes = 0;
  int64_t pss_kib = 0;         // summed over the tree (with_memory only)
  int64_t pss_anon_kib = 0;    // of which private and shared anonymous
  int64_t pss_file_kib = 0;    // of which file-backed (program, libraries)
  int64_t pss_shmem_kib = 0;   // of which shared memory (the registry)
  int64_t page_table_kib = 0;  // VmPTE: page tables, outside the Pss
  int unreadable_pss = 0;      // members whose smaps_rollup could not be read
  // CPU of every live member, each counting its reaped children too, so
  // workers that already exited are in it once they are reaped.
  double cpu_seconds = 0;
  double root_cpu_seconds = 0;  // the root process alone
  int64_t root_rss_kib = 0;     // the root's resident set (VmRSS); what
                                // every fork() of it copies page tables for
  int64_t switches = 0;         // times live members were switched in
  int64_t minor_faults = 0;     // of live members and their reaped children
};

// nullopt if root is gone.
std::optional<TreeSample> SampleTree(pid_t root, bool with_memory);

// Waits (bounded by timeout_ns) until the tree has stopped using CPU: less
// than 10 ms of CPU over 300 ms. Lets one run's aftermath (thousands of
// sessions closing) finish before the next run measures. False on timeout.
bool WaitQuiet(pid_t root, int64_t timeout_ns);

}  // namespace chat::bench

#endif  // CHAT_BENCH_PROCESS_STATS_H_
