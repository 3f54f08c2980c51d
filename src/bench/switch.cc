// switch: no server involved. Measures what waking one process among many
// costs on this machine: K processes in a ring of pipes pass one byte round,
// each blocked in read() until its turn, so every hop is a wake-up and a
// switch to a process that last ran K hops ago. A server with a process per
// connection pays one such hop for every user a broadcast reaches, and with
// many users each one finds its caches and TLB entries cold. A ring of 2
// measured in the same run shows the warm cost beside it.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "bench/clock.h"
#include "bench/scenario.h"
#include "bench/stats.h"

namespace chat::bench {
namespace {

// A descriptor closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }

  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

std::optional<Pipe> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

std::string SystemError(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// While measuring, a write to a ring member that has just been killed must
// fail with EPIPE, not kill the measuring process (which may not be
// chat-bench's main, e.g. in a test).
class ScopedIgnoreSigpipe {
 public:
  ScopedIgnoreSigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &saved_);
  }
  ~ScopedIgnoreSigpipe() { sigaction(SIGPIPE, &saved_, nullptr); }
  ScopedIgnoreSigpipe(const ScopedIgnoreSigpipe&) = delete;
  ScopedIgnoreSigpipe& operator=(const ScopedIgnoreSigpipe&) = delete;

 private:
  struct sigaction saved_ {};
};

// A child's whole life: pass the token on until its predecessor goes away.
// Only system calls here: the child is a copy of a process in mid-run.
[[noreturn]] void PassTokens(pid_t parent, int in, int out) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent may have died before the line above took effect.
  if (getppid() != parent) _exit(1);
  char token;
  for (;;) {
    ssize_t got = read(in, &token, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got != 1) _exit(0);
    if (write(out, &token, 1) != 1) _exit(0);
  }
}

// `size` processes in a ring of pipes: this one and size - 1 children, each
// reading its own pipe and writing its successor's. Built from the back so
// that no process holds more than four ring descriptors at any time, and
// each child keeps only the two it uses.
class Ring {
 public:
  explicit Ring(int64_t size) {
    children_.reserve(static_cast<size_t>(size - 1));
    auto last = MakePipe();
    if (!last) {
      problem_ = SystemError("pipe");
      return;
    }
    in_ = std::move(last->read);
    // What the child forked next writes to: its successor's pipe.
    Fd successor = std::move(last->write);
    const pid_t self = getpid();
    for (int64_t i = 1; i < size; ++i) {
      auto own = MakePipe();
      if (!own) {
        problem_ = SystemError("pipe");
        return;
      }
      pid_t pid = fork();
      if (pid < 0) {
        problem_ = SystemError("fork") + " (after " + std::to_string(i - 1) +
                   " children)";
        return;
      }
      if (pid == 0) {
        in_.Reset();
        own->write.Reset();
        PassTokens(self, own->read.get(), successor.get());
      }
      children_.push_back(pid);
      successor = std::move(own->write);
    }
    out_ = std::move(successor);
  }

  // Every child is killed and reaped, whatever state the ring is in.
  ~Ring() {
    in_.Reset();
    out_.Reset();
    KillChildren();
    for (pid_t pid : children_) {
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }

  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Empty if the ring is whole.
  const std::string& problem() const { return problem_; }

  struct Laps {
    int64_t completed = 0;  // laps the token came back from
    int64_t ns = 0;         // from the first write to the last read
    bool timed_out = false;
  };

  // Sends the token round `laps` times. A token still out after
  // `timeout_ns` ends the run: a watchdog kills the children, so the read
  // waiting for it sees the end of the pipe. The measured path stays a plain
  // read() and write() in every process.
  Laps Circulate(int64_t laps, int64_t timeout_ns) {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    bool fired = false;
    std::optional<std::thread> watchdog;
    try {
      watchdog.emplace([&] {
        std::unique_lock lock(mutex);
        if (!finished.wait_for(lock, std::chrono::nanoseconds(timeout_ns),
                               [&] { return done; })) {
          fired = true;
          KillChildren();
        }
      });
    } catch (const std::system_error& error) {
      problem_ = std::string("no watchdog thread: ") + error.what();
      return {};
    }
    Laps result;
    char token = 't';
    const int64_t start = NowNs();
    while (result.completed < laps) {
      if (write(out_.get(), &token, 1) != 1) break;
      ssize_t got;
      do {
        got = read(in_.get(), &token, 1);
      } while (got < 0 && errno == EINTR);
      if (got != 1) break;
      ++result.completed;
    }
    result.ns = NowNs() - start;
    {
      std::lock_guard lock(mutex);
      done = true;
    }
    finished.notify_one();
    watchdog->join();
    result.timed_out = fired;
    return result;
  }

 private:
  // The children are not reaped before the destructor, so their pids are
  // still theirs.
  void KillChildren() {
    for (pid_t pid : children_) kill(pid, SIGKILL);
  }

  std::vector<pid_t> children_;
  Fd in_;   // from the last child
  Fd out_;  // to the first child
  std::string problem_;
};

struct RingRun {
  int64_t size = 0;
  int64_t laps = 0;       // planned
  int64_t completed = 0;  // laps the token came back from
  double build_s = 0;
  double seconds = 0;  // the completed laps, warm-up excluded
  // CPU time of the ring's processes over wall time, from the first fork
  // to the last reap: near 1 when one CPU was the ring's alone, less when
  // others took turns on it (and the hops measured their time too).
  double cpu_share = 0;
  std::string problem;

  int64_t hops() const { return completed * size; }
  int64_t expected_hops() const { return laps * size; }
  double hop_us() const {
    return hops() > 0 ? seconds * 1e6 / static_cast<double>(hops()) : 0;
  }
};

// The first laps after fork copy stack pages on write and let the
// scheduler settle on the new processes: at least this long, and at least
// two laps, are left out of the timing.
constexpr int64_t kWarmupNs = 50'000'000;
constexpr int64_t kWarmupLaps = 2;

// CPU seconds of this process and its reaped children.
double CpuSeconds() {
  rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(self.ru_utime) + seconds(self.ru_stime) +
         seconds(children.ru_utime) + seconds(children.ru_stime);
}

void RunRing(int64_t timeout_ns, RingRun* out) {
  RingRun& run = *out;
  const int64_t size = run.size;
  int64_t start = NowNs();
  Ring ring(size);
  run.build_s = NsToSeconds(NowNs() - start);
  if (!ring.problem().empty()) {
    run.problem = "ring of " + std::to_string(size) + ": " + ring.problem();
    return;
  }
  // Why the token stopped at `lap` (a description), when it did.
  auto why = [&](bool timed_out, const std::string& lap) {
    if (!ring.problem().empty()) return ring.problem();
    std::string where = "ring of " + std::to_string(size) + ", " + lap;
    return timed_out ? where + ": the token did not come back within --timeout"
                     : where + ": a process of the ring went away";
  };
  const int64_t warm_start = NowNs();
  const int64_t chunk = std::max<int64_t>(kWarmupLaps, 1000 / size);
  for (int64_t warm = 0;
       warm < kWarmupLaps || NowNs() - warm_start < kWarmupNs;) {
    const int64_t left = timeout_ns - (NowNs() - warm_start);
    const Ring::Laps made = ring.Circulate(chunk, left);
    warm += made.completed;
    if (made.completed < chunk) {
      run.problem =
          why(made.timed_out, "warm-up lap " + std::to_string(warm + 1));
      return;
    }
  }
  const Ring::Laps measured = ring.Circulate(run.laps, timeout_ns);
  run.completed = measured.completed;
  run.seconds = NsToSeconds(measured.ns);
  if (run.completed < run.laps) {
    run.problem =
        why(measured.timed_out, "lap " + std::to_string(run.completed + 1) +
                                    " of " + std::to_string(run.laps));
  }
}

RingRun MeasureRing(int64_t size, int64_t hops, double timeout_s) {
  RingRun run;
  run.size = size;
  run.laps = std::max<int64_t>(1, (hops + size / 2) / size);
  // Counted until every child is reaped, so that theirs are in.
  const double cpu = CpuSeconds();
  const int64_t start = NowNs();
  RunRing(SecondsToNs(timeout_s), &run);
  const double wall = NsToSeconds(NowNs() - start);
  run.cpu_share = wall > 0 ? (CpuSeconds() - cpu) / wall : 0;
  return run;
}

void AddOutcome(const RingRun& run, Report* report) {
  const int64_t shortfall =
      CountDeliveries(run.expected_hops(), run.hops(), report);
  if (shortfall > 0) report->completed = false;
  if (!run.problem.empty()) report->problems.push_back(run.problem);
}

}  // namespace

Report RunSwitch(const RunContext& context) {
  const Options& options = context.options;
  Report report = NewLocalReport(context);
  report.Param("processes", options.users, "in the ring, this one included");
  report.Param("hops_asked", options.messages, "rounded to whole laps");
  ScopedIgnoreSigpipe ignore_sigpipe;
  RingRun many = MeasureRing(options.users, options.messages, options.timeout);
  RingRun two = MeasureRing(2, options.messages, options.timeout);
  report.Figure("laps", many.completed, "times the token went round");
  report.Figure("hops", many.hops(), "wake-ups measured");
  report.Figure("hop_us", many.hop_us(),
                "read() woken by the predecessor's write(), mean");
  report.Figure("hops_per_s",
                PerSecond(static_cast<double>(many.hops()), many.seconds),
                "one after another");
  report.Figure("build_s", many.build_s, "forking the ring");
  report.Figure("cpu_share", many.cpu_share,
                "ring CPU / wall: below 1, others shared the CPU");
  report.Figure("hop_us_2", two.hop_us(), "the same in a ring of 2 processes");
  report.Figure("hops_2", two.hops());
  report.Figure("cpu_share_2", two.cpu_share);
  report.Figure("hop_ratio",
                two.hop_us() > 0 ? many.hop_us() / two.hop_us() : 0.0,
                "hop_us / hop_us_2: what cold caches cost");
  AddOutcome(many, &report);
  AddOutcome(two, &report);
  return report;
}

}  // namespace chat::bench
