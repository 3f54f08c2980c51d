// What the scenarios share: names, texts, connecting, announcements, report
// outcomes, CPU.
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <utility>

#include "bench/address.h"
#include "bench/clock.h"
#include "bench/scenario.h"

namespace chat::bench {
namespace {

constexpr char kDigits36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

double OwnCpuSeconds() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

std::string RunTag() {
  auto seed = static_cast<uint64_t>(NowNs() / 1'000'000) * 31 +
              static_cast<uint64_t>(getpid());
  std::string tag;
  for (int i = 0; i < 3; ++i) {
    tag += kDigits36[seed % 36];
    seed /= 36;
  }
  return tag;
}

std::string UserName(char role, std::string_view tag, int64_t index) {
  std::string digits;
  auto value = static_cast<uint64_t>(index);
  do {
    digits += kDigits36[value % 36];
    value /= 36;
  } while (value != 0);
  std::string name(1, role);
  name += tag;
  name.append(digits.rbegin(), digits.rend());
  return name;
}

std::string MessageText(int64_t sequence, int64_t size) {
  std::string text = std::to_string(sequence);
  text += ' ';
  if (static_cast<int64_t>(text.size()) < size) {
    text.append(static_cast<size_t>(size) - text.size(), 'x');
  }
  return text;
}

std::optional<int64_t> ParseSequence(std::string_view text) {
  int64_t value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || value < 0) return std::nullopt;
  if (end != text.data() + text.size() && *end != ' ') return std::nullopt;
  return value;
}

int64_t PairwiseAnnouncements(int64_t members) {
  return members < 2 ? 0 : members * (members - 1) / 2;
}

Report NewReport(const RunContext& context) {
  Report report;
  report.scenario = ScenarioName(context.options.scenario);
  report.dialect = std::string(context.dialect.name());
  report.label = context.options.label;
  report.target = FormatEndpoint(context.server);
  return report;
}

Report NewLocalReport(const RunContext& context) {
  Report report = NewReport(context);
  report.dialect = "none";
  report.target = "this machine";
  return report;
}

void MarkIncomplete(std::string problem, Report* report) {
  report->completed = false;
  report->problems.push_back(std::move(problem));
}

int64_t CountDeliveries(int64_t expected, int64_t received, Report* report) {
  report->expected += expected;
  report->received += received;
  const int64_t shortfall = expected > received ? expected - received : 0;
  report->lost += shortfall;
  return shortfall;
}

void CountMissingAcks(int64_t missing, std::string_view verb, Report* report) {
  if (missing <= 0) return;
  report->errors += missing;
  report->problems.push_back(std::to_string(missing) + " OK " +
                             std::string(verb) + " answers missing");
}

ClientPool MakePool(const RunContext& context, ClientHandler* handler) {
  PoolConfig config{context.server, static_cast<int>(context.options.sources),
                    static_cast<int>(context.options.concurrency)};
  config.wire = context.options.tls  ? WireKind::kTls
                : context.options.ws ? WireKind::kWebSocket
                                     : WireKind::kPlain;
  return ClientPool(context.dialect, config, handler, context.progress);
}

bool PoolUsable(const ClientPool& pool, Report* report) {
  if (pool.setup_error().empty()) return true;
  MarkIncomplete(pool.setup_error(), report);
  return false;
}

bool ConnectUsers(ClientPool* pool, int64_t count, char role_letter, int role,
                  std::string_view tag, bool join_channel,
                  int64_t deadline_ns) {
  const int64_t target = pool->ready() + count;
  for (int64_t i = 0; i < count; ++i) {
    pool->Enqueue(UserName(role_letter, tag, i), role, join_channel);
  }
  // A refusal for the server's own limit ends the wait at once: the rest
  // would be refused too.
  pool->RunUntil(
      [&] {
        return pool->ready() >= target || pool->waiting() == 0 ||
               !pool->refusal().empty();
      },
      deadline_ns);
  if (!pool->refusal().empty()) pool->CancelPending();
  return pool->ready() >= target;
}

double AwaitAnnouncements(ClientPool* pool, int64_t expected,
                          int64_t deadline_ns, Report* report) {
  int64_t start = NowNs();
  pool->RunUntil([&] { return pool->counters().announced_joins >= expected; },
                 deadline_ns);
  double seconds = NsToSeconds(NowNs() - start);
  int64_t announced = pool->counters().announced_joins;
  report->Figure("announced", announced, "JOINED (IRC: JOIN) lines received");
  report->Figure("announce_expected", expected, "one per pair of users");
  if (announced < expected) {
    report->lost += expected - announced;
    MarkIncomplete(std::to_string(expected - announced) +
                       " announcements did not arrive in time",
                   report);
  }
  return seconds;
}

void AddPoolOutcome(const ClientPool& pool, Report* report) {
  if (!pool.refusal().empty()) {
    report->refused = true;
    report->completed = false;
    report->problems.insert(report->problems.begin(), pool.RefusalAdvice());
  }
  const PoolCounters& counters = pool.counters();
  report->errors += counters.errors;
  report->Figure("connect_failures", counters.connect_failures);
  report->Figure("registration_failures", counters.registration_failures);
  report->Figure("unexpected_closes", counters.unexpected_closes,
                 "closed by the server without a QUIT");
  for (const auto& problem : pool.problems()) {
    if (report->problems.size() < 8) report->problems.push_back(problem);
  }
}

void CpuMeter::Start() {
  wall_start_ = NowNs();
  bench_start_ = OwnCpuSeconds();
  if (server_pid_ > 0) server_start_ = SampleTree(server_pid_, false);
}

void CpuMeter::Stop(Report* report) {
  double wall = NsToSeconds(NowNs() - wall_start_);
  double bench = OwnCpuSeconds() - bench_start_;
  if (server_start_) {
    if (auto end = SampleTree(server_pid_, false)) {
      double server = end->cpu_seconds - server_start_->cpu_seconds;
      report->Figure("server_cpu_s", server,
                     "server CPU (all its processes) while measuring");
      report->Figure("server_main_cpu_s",
                     end->root_cpu_seconds - server_start_->root_cpu_seconds,
                     "of which its main process");
      report->Figure("server_main_rss_kib", end->root_rss_kib,
                     "main process's resident set at the end");
      report->Figure("server_switches", end->switches - server_start_->switches,
                     "times its live processes were switched in");
      report->Figure("server_minor_faults",
                     end->minor_faults - server_start_->minor_faults,
                     "page faults of its processes, reaped ones included");
    }
  }
  report->Figure("bench_cpu_s", bench, "chat-bench's own CPU while measuring");
  report->Figure("measure_s", wall, "wall time measured");
}

void SettleServer(const RunContext& context, Report* report) {
  if (context.options.server_pid <= 0) return;
  int64_t start = NowNs();
  if (!WaitQuiet(context.options.server_pid,
                 SecondsToNs(context.options.timeout))) {
    report->problems.push_back("the server was still busy after --timeout");
  }
  report->Figure("settle_s", NsToSeconds(NowNs() - start),
                 "waiting for the server to go idle first");
}

Report RunScenario(const RunContext& context) {
  switch (context.options.scenario) {
    case Scenario::kRtt:
      return RunRtt(context);
    case Scenario::kFanout:
      return RunFanout(context);
    case Scenario::kChurn:
      return RunChurn(context);
    case Scenario::kHold:
      return RunHold(context);
    case Scenario::kLogin:
      return RunLogin(context);
    case Scenario::kFork:
      return RunFork(context);
    case Scenario::kSwitch:
      return RunSwitch(context);
    case Scenario::kFile:
      return RunFile(context);
  }
  return NewReport(context);
}

}  // namespace chat::bench
