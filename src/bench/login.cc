// login: what logging in to an account costs the server, Argon2id included.
// First N accounts are created (REGISTER <name> <password>, then QUIT); then
// C concurrent connectors for T seconds each loop through a whole session:
// connect, LOGIN to the next free account, wait for OK LOGIN, QUIT, wait for
// the server to close. The accounts are handed out in turn from a queue, so
// no account is logged in on two connections at once (which would make the
// second LOGIN move the first session instead). Measures logins per second,
// per second and CPU, and the server's CPU per login.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bench/clock.h"
#include "bench/scenario.h"
#include "bench/stats.h"

namespace chat::bench {
namespace {

// The CPUs the server may run on: its affinity, as `nproc` run as the server
// would print (the make bench placement pins it to one), or without its pid
// this machine's online CPUs.
int64_t ServerCpus(pid_t server_pid) {
  if (server_pid > 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(server_pid, sizeof set, &set) == 0) {
      return std::max(1, CPU_COUNT(&set));
    }
  }
  return std::max<int64_t>(1, sysconf(_SC_NPROCESSORS_ONLN));
}

// A figure already in the report (CpuMeter's), if it is a number.
std::optional<double> FigureValue(const Report& report, std::string_view key) {
  for (const Field& field : report.figures) {
    if (field.key != key) continue;
    if (auto* real = std::get_if<double>(&field.value)) return *real;
    if (auto* whole = std::get_if<int64_t>(&field.value)) {
      return static_cast<double>(*whole);
    }
  }
  return std::nullopt;
}

class LoginRun : public ClientHandler {
 public:
  explicit LoginRun(const RunContext& context) : context_(context) {}

  Report Run();

  void OnReady(int id) override;
  void OnEvent(int id, const Event& event) override;
  void OnClosed(int id) override;

 private:
  // Phase 1: every account created; false (with the report saying why) if
  // not.
  bool CreateAccounts(Report* report);
  std::unique_ptr<ClientPool> NewPool(const Dialect& dialect);
  void StartCreation();
  void StartSession();

  const RunContext& context_;
  std::string tag_;
  std::string password_;
  ClientPool* pool_ = nullptr;
  bool logging_in_ = false;  // phase 2
  // Phase 1.
  int64_t next_to_create_ = 0, created_ = 0;
  // Phase 2.
  std::deque<int64_t> free_accounts_;
  int64_t end_ns_ = 0;
  int64_t started_ = 0, logins_ = 0, completed_ = 0;
  int64_t last_completion_ns_ = 0;
  std::vector<int64_t> samples_;  // connect to OK LOGIN
};

std::unique_ptr<ClientPool> LoginRun::NewPool(const Dialect& dialect) {
  PoolConfig config{context_.server, static_cast<int>(context_.options.sources),
                    static_cast<int>(context_.options.concurrency)};
  return std::make_unique<ClientPool>(dialect, config, this, context_.progress);
}

void LoginRun::OnReady(int id) {
  Client& c = pool_->client(id);
  if (logging_in_) {
    ++logins_;
    samples_.push_back(NowNs() - c.opened_ns);
  } else {
    ++created_;
  }
  c.expect_close = true;
  pool_->dialect().Quit(pool_->Out(id));
  pool_->Flush(id);
}

void LoginRun::OnEvent(int id, const Event& event) {
  Client& c = pool_->client(id);
  if (event.kind == EventKind::kError) return;  // counted by the pool
  if (event.kind == EventKind::kQuitAck) {
    c.number = 1;
    return;
  }
  pool_->CountError(id, "unexpected line: " + std::string(event.text));
}

void LoginRun::OnClosed(int id) {
  Client& c = pool_->client(id);
  if (!logging_in_) {
    StartCreation();
    return;
  }
  if (c.expect_close && c.number == 1) {
    ++completed_;
    last_completion_ns_ = NowNs();
  }
  // Refused or closed early: the pool counted why; the account is free again
  // either way.
  free_accounts_.push_back(c.role);
  StartSession();
}

// Phase 1 uses the connectors too, one account each at a time, so that the
// server never holds more users at once than phase 2 will need.
void LoginRun::StartCreation() {
  while (next_to_create_ < context_.options.users && pool_->refusal().empty()) {
    const int64_t account = next_to_create_++;
    if (pool_->Open(UserName('l', tag_, account), static_cast<int>(account),
                    false) >= 0) {
      return;
    }
    // No socket at all (counted by the pool): on to the next account.
  }
}

void LoginRun::StartSession() {
  if (NowNs() >= end_ns_ || !pool_->refusal().empty()) return;
  if (free_accounts_.empty()) return;  // not reached: accounts >= connectors
  const int64_t account = free_accounts_.front();
  free_accounts_.pop_front();
  const int id = pool_->Open(UserName('l', tag_, account),
                             static_cast<int>(account), false);
  if (id >= 0) {
    ++started_;
  } else {
    // No socket at all (counted by the pool): this connector stops rather
    // than spin, and its account stays free.
    free_accounts_.push_back(account);
  }
}

bool LoginRun::CreateAccounts(Report* report) {
  const Options& options = context_.options;
  auto dialect = MakeChatAccountDialect(AccountStep::kCreate, password_);
  auto pool = NewPool(*dialect);
  pool_ = pool.get();
  if (!PoolUsable(*pool, report)) return false;
  ScopedStatus status(context_.progress, [&] {
    return "login: " + std::to_string(created_) + " of " +
           std::to_string(options.users) + " accounts created";
  });
  const int64_t start = NowNs();
  for (int64_t i = 0; i < options.connectors; ++i) StartCreation();
  bool finished = pool->RunUntil(
      [&] {
        return !pool->refusal().empty() ||
               (pool->open() == 0 && next_to_create_ >= options.users);
      },
      start + SecondsToNs(options.timeout));
  if (!pool->refusal().empty()) pool->CancelPending();
  report->Figure("create_s", NsToSeconds(NowNs() - start),
                 "creating the accounts (REGISTER, then QUIT), as many at "
                 "once as connectors");
  report->Figure("created", created_, "accounts created");
  pool_ = nullptr;
  if (created_ == options.users && finished && pool->refusal().empty()) {
    // Anything unexpected on the way still counts.
    report->errors += pool->counters().errors;
    for (const auto& problem : pool->problems()) {
      report->problems.push_back("creating accounts: " + problem);
    }
    return true;
  }
  if (!finished) {
    MarkIncomplete(std::to_string(options.users - created_) +
                       " accounts not created within --timeout",
                   report);
  } else if (pool->refusal().empty()) {
    MarkIncomplete(std::to_string(options.users - created_) +
                       " accounts could not be created",
                   report);
  }
  CountDeliveries(options.users, created_, report);
  AddPoolOutcome(*pool, report);
  return false;
}

Report LoginRun::Run() {
  const Options& options = context_.options;
  Report report = NewReport(context_);
  const int64_t cpus = ServerCpus(options.server_pid);
  report.Param("accounts", options.users, "created first, then logged in to");
  report.Param("connectors", options.connectors, "sessions at once");
  report.Param("duration_s", options.duration, "new logins start until then");
  report.Param("server_cpus", cpus,
               options.server_pid > 0 ? "CPUs the server may run on (nproc)"
                                      : "this machine's online CPUs (nproc)");
  SettleServer(context_, &report);
  tag_ = RunTag();
  // 8 to 128 bytes without spaces (PROTOCOL.md); never printed.
  password_ = "bench-" + tag_ + "-password";
  if (!CreateAccounts(&report)) return report;
  for (int64_t i = 0; i < options.users; ++i) free_accounts_.push_back(i);

  auto dialect = MakeChatAccountDialect(AccountStep::kLogIn, password_);
  auto pool = NewPool(*dialect);
  pool_ = pool.get();
  logging_in_ = true;
  if (!PoolUsable(*pool, &report)) return report;
  ScopedStatus status(context_.progress, [&] {
    return "login: " + std::to_string(logins_) + " logins, " +
           std::to_string(pool->open()) + " open";
  });
  CpuMeter meter(options.server_pid);
  meter.Start();
  const int64_t start = NowNs();
  end_ns_ = start + SecondsToNs(options.duration);
  for (int64_t i = 0; i < options.connectors; ++i) StartSession();
  bool finished = pool->RunUntil(
      [&] {
        return (NowNs() >= end_ns_ || !pool->refusal().empty()) &&
               pool->open() == 0;
      },
      end_ns_ + SecondsToNs(options.timeout));
  meter.Stop(&report);
  if (!finished) {
    MarkIncomplete(
        std::to_string(pool->open()) + " sessions still open at --timeout",
        &report);
  }
  Summary summary = Summarize(samples_);
  const double seconds = NsToSeconds(last_completion_ns_ - start);
  const double rate = PerSecond(static_cast<double>(logins_), seconds);
  report.Figure("logins", logins_, "OK LOGIN answers");
  report.Figure("logins_per_s", rate, "over the time to the last session end");
  report.Figure("logins_per_s_per_cpu", rate / static_cast<double>(cpus),
                "logins_per_s over server_cpus");
  if (auto cpu = FigureValue(report, "server_cpu_s"); cpu && logins_ > 0) {
    report.Figure("server_cpu_ms_per_login",
                  *cpu * 1e3 / static_cast<double>(logins_),
                  "server CPU (all its processes) per whole login session");
  }
  report.Figure("login_p50_us", NsToMicros(static_cast<int64_t>(summary.p50)),
                "connect to OK LOGIN, median");
  report.Figure("login_p99_us", NsToMicros(static_cast<int64_t>(summary.p99)));
  // Every session started must end with OK LOGIN, OK QUIT and the close.
  CountDeliveries(started_, completed_, &report);
  AddPoolOutcome(*pool, &report);
  pool_ = nullptr;
  return report;
}

}  // namespace

Report RunLogin(const RunContext& context) {
  LoginRun run(context);
  return run.Run();
}

}  // namespace chat::bench
