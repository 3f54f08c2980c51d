// Process-tree sampling from /proc: membership, Pss, CPU time.
#include "bench/process_stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <unordered_map>

#include "bench/clock.h"

namespace chat::bench {
namespace {

// Reads a small /proc file whole; nullopt if it cannot be opened.
std::optional<std::string> ReadSmallFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[4096];
  for (int reads = 0; reads < 64; ++reads) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

std::string ProcPath(pid_t pid, const char* leaf) {
  return "/proc/" + std::to_string(pid) + "/" + leaf;
}

bool ParseInt(std::string_view word, int64_t* value) {
  auto [end, error] =
      std::from_chars(word.data(), word.data() + word.size(), *value);
  return error == std::errc() && end == word.data() + word.size();
}

// Numeric entries of a /proc directory.
std::vector<pid_t> NumericEntries(const std::string& path) {
  std::vector<pid_t> ids;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return ids;
  while (dirent* entry = readdir(dir)) {
    int64_t id;
    if (ParseInt(entry->d_name, &id)) ids.push_back(static_cast<pid_t>(id));
  }
  closedir(dir);
  return ids;
}

// Direct children from /proc/PID/task/*/children; nullopt if the kernel does
// not provide those files.
std::optional<std::vector<pid_t>> ChildrenFromTasks(pid_t pid) {
  std::vector<pid_t> children;
  std::string task_dir = ProcPath(pid, "task");
  bool any_file = false;
  for (pid_t tid : NumericEntries(task_dir)) {
    auto text =
        ReadSmallFile(task_dir + "/" + std::to_string(tid) + "/children");
    if (!text) continue;
    any_file = true;
    std::string_view rest = *text;
    while (!rest.empty()) {
      size_t space = rest.find(' ');
      int64_t child;
      if (ParseInt(rest.substr(0, space), &child)) {
        children.push_back(static_cast<pid_t>(child));
      }
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
  }
  if (!any_file) return std::nullopt;
  return children;
}

std::optional<StatFields> ReadStat(pid_t pid) {
  auto text = ReadSmallFile(ProcPath(pid, "stat"));
  if (!text) return std::nullopt;
  return ParseStat(*text);
}

// /proc/PID/schedstat: nanoseconds on the CPU, nanoseconds waiting for it,
// times switched in. Finer than stat's clock ticks, which round each of
// thousands of short-lived workers down to nothing.
struct SchedStat {
  int64_t run_ns = 0;
  int64_t switches = 0;
};

std::optional<SchedStat> ReadSchedStat(pid_t pid) {
  auto text = ReadSmallFile(ProcPath(pid, "schedstat"));
  if (!text) return std::nullopt;
  std::string_view rest = *text;
  int64_t fields[3];
  for (int64_t& field : fields) {
    size_t end = rest.find_first_of(" \n");
    if (!ParseInt(rest.substr(0, end), &field)) return std::nullopt;
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  return SchedStat{fields[0], fields[2]};
}

}  // namespace

std::optional<StatFields> ParseStat(std::string_view text) {
  // The command name (field 2) is in parentheses and may hold anything,
  // spaces and ')' included: the fields resume after the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  int64_t fields[18] = {};
  int field = 2;
  while (field < 17) {
    size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(start);
    size_t end = rest.find_first_of(" \n");
    std::string_view word = rest.substr(0, end);
    ++field;
    if (field >= 4 && !ParseInt(word, &fields[field])) return std::nullopt;
    if (end == std::string_view::npos) {
      rest = {};
    } else {
      rest.remove_prefix(end);
    }
  }
  StatFields stat;
  stat.ppid = static_cast<pid_t>(fields[4]);
  stat.minflt = fields[10];
  stat.cminflt = fields[11];
  stat.utime = fields[14];
  stat.stime = fields[15];
  stat.cutime = fields[16];
  stat.cstime = fields[17];
  return stat;
}

std::optional<int64_t> KibField(std::string_view smaps_rollup,
                                std::string_view key) {
  size_t at = 0;
  while (at < smaps_rollup.size()) {
    size_t end = smaps_rollup.find('\n', at);
    std::string_view line = smaps_rollup.substr(at, end - at);
    if (line.size() > key.size() && line.substr(0, key.size()) == key &&
        line[key.size()] == ':') {
      line.remove_prefix(key.size() + 1);
      size_t start = line.find_first_not_of(" \t");
      if (start == std::string_view::npos) return std::nullopt;
      line.remove_prefix(start);
      std::string_view number = line.substr(0, line.find(' '));
      int64_t value;
      if (!ParseInt(number, &value)) return std::nullopt;
      return value;
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

std::vector<pid_t> ProcessTree(pid_t root) {
  std::vector<pid_t> tree;
  if (!ReadStat(root)) return tree;
  tree.push_back(root);
  if (auto first = ChildrenFromTasks(root)) {
    // Breadth first; the depth is bounded by the process count.
    std::vector<pid_t> children = std::move(*first);
    for (size_t i = 0; i < children.size() && tree.size() < 1'000'000; ++i) {
      tree.push_back(children[i]);
      if (auto more = ChildrenFromTasks(children[i])) {
        children.insert(children.end(), more->begin(), more->end());
      }
    }
    return tree;
  }
  std::unordered_map<pid_t, std::vector<pid_t>> children_of;
  for (pid_t pid : NumericEntries("/proc")) {
    if (auto stat = ReadStat(pid)) children_of[stat->ppid].push_back(pid);
  }
  for (size_t i = 0; i < tree.size(); ++i) {
    auto found = children_of.find(tree[i]);
    if (found == children_of.end()) continue;
    tree.insert(tree.end(), found->second.begin(), found->second.end());
  }
  return tree;
}

std::optional<TreeSample> SampleTree(pid_t root, bool with_memory) {
  std::vector<pid_t> tree = ProcessTree(root);
  if (tree.empty()) return std::nullopt;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  TreeSample sample;
  for (pid_t pid : tree) {
    auto stat = ReadStat(pid);
    if (!stat) continue;  // exited since the tree was read
    ++sample.processes;
    double own = static_cast<double>(stat->utime + stat->stime) / tick;
    if (auto sched = ReadSchedStat(pid)) {
      own = static_cast<double>(sched->run_ns) / 1e9;
      sample.switches += sched->switches;
    }
    // Reaped children's times are summed in the kernel before the
    // conversion to ticks, so this total is not rounded per child.
    double reaped = static_cast<double>(stat->cutime + stat->cstime) / tick;
    sample.cpu_seconds += own + reaped;
    sample.minor_faults += stat->minflt + stat->cminflt;
    if (pid == root) {
      sample.root_cpu_seconds = own;
      if (auto status = ReadSmallFile(ProcPath(pid, "status"))) {
        sample.root_rss_kib = KibField(*status, "VmRSS").value_or(0);
      }
    }
    if (with_memory) {
      auto text = ReadSmallFile(ProcPath(pid, "smaps_rollup"));
      auto pss = text ? KibField(*text, "Pss") : std::nullopt;
      if (pss) {
        sample.pss_kib += *pss;
        sample.pss_anon_kib += KibField(*text, "Pss_Anon").value_or(0);
        sample.pss_file_kib += KibField(*text, "Pss_File").value_or(0);
        sample.pss_shmem_kib += KibField(*text, "Pss_Shmem").value_or(0);
      } else {
        ++sample.unreadable_pss;
      }
      // Page tables are kernel memory each process costs, and what fork()
      // copies: a large parent makes every child pay for them.
      if (auto status = ReadSmallFile(ProcPath(pid, "status"))) {
        sample.page_table_kib += KibField(*status, "VmPTE").value_or(0);
      }
    }
  }
  return sample;
}

bool WaitQuiet(pid_t root, int64_t timeout_ns) {
  constexpr int64_t kStepNs = 100'000'000;
  constexpr int kQuietSteps = 3;
  const int64_t deadline = NowNs() + timeout_ns;
  auto first = SampleTree(root, false);
  if (!first) return true;  // nothing left to wait for
  int quiet_steps = 0;
  double quiet_since = first->cpu_seconds;
  while (NowNs() < deadline) {
    timespec step{0, kStepNs};
    nanosleep(&step, nullptr);
    auto sample = SampleTree(root, false);
    if (!sample) return true;
    if (sample->cpu_seconds - quiet_since <= 0.010) {
      if (++quiet_steps >= kQuietSteps) return true;
    } else {
      quiet_steps = 0;
      quiet_since = sample->cpu_seconds;
    }
  }
  return false;
}

}  // namespace chat::bench
