// churn: C concurrent connectors for T seconds, each looping through a whole
// session: connect, register a unique name, wait for the answer, QUIT, wait
// for the server to close. Measures sessions per second.
#include <string>
#include <vector>

#include "bench/clock.h"
#include "bench/scenario.h"
#include "bench/stats.h"

namespace chat::bench {
namespace {

class ChurnRun : public ClientHandler {
 public:
  explicit ChurnRun(const RunContext& context) : context_(context) {}

  Report Run();

  void OnReady(int id) override;
  void OnEvent(int id, const Event& event) override;
  void OnClosed(int id) override;

 private:
  void StartSession();

  const RunContext& context_;
  ClientPool* pool_ = nullptr;
  std::string tag_;
  int64_t end_ns_ = 0;
  int64_t started_ = 0, completed_ = 0, failed_ = 0;
  int64_t last_completion_ns_ = 0;
  std::vector<int64_t> samples_;
};

void ChurnRun::StartSession() {
  // Past the end, or refused for the server's limits: no new sessions.
  if (NowNs() >= end_ns_ || !pool_->refusal().empty()) return;
  // Open() fails only when no socket can be made at all (counted by the
  // pool); this connector then stops rather than spin.
  if (pool_->Open(UserName('c', tag_, started_), 0, false) >= 0) ++started_;
}

void ChurnRun::OnReady(int id) {
  Client& c = pool_->client(id);
  c.expect_close = true;
  pool_->dialect().Quit(pool_->Out(id));
  pool_->Flush(id);
}

void ChurnRun::OnEvent(int id, const Event& event) {
  Client& c = pool_->client(id);
  if (event.kind == EventKind::kError) return;  // counted by the pool
  // The answer to QUIT: OK QUIT, or IRC's ERROR before it closes.
  bool irc = context_.dialect.has_channel();
  if (event.kind == EventKind::kQuitAck ||
      (irc && event.kind == EventKind::kBye)) {
    c.number = 1;
    return;
  }
  pool_->CountError(id, "unexpected line: " + std::string(event.text));
}

void ChurnRun::OnClosed(int id) {
  Client& c = pool_->client(id);
  int64_t now = NowNs();
  if (c.expect_close && c.number == 1) {
    ++completed_;
    last_completion_ns_ = now;
    samples_.push_back(now - c.opened_ns);
  } else {
    ++failed_;
  }
  StartSession();
}

Report ChurnRun::Run() {
  const Options& options = context_.options;
  Report report = NewReport(context_);
  report.Param("connectors", options.connectors, "sessions at once");
  report.Param("duration_s", options.duration, "new sessions start until then");
  SettleServer(context_, &report);

  ClientPool pool = MakePool(context_, this);
  pool_ = &pool;
  if (!PoolUsable(pool, &report)) return report;
  ScopedStatus status(context_.progress, [&] {
    return "churn: " + std::to_string(completed_) + " sessions done, " +
           std::to_string(pool.open()) + " open";
  });
  tag_ = RunTag();
  CpuMeter meter(options.server_pid);
  meter.Start();
  const int64_t start = NowNs();
  end_ns_ = start + SecondsToNs(options.duration);
  for (int64_t i = 0; i < options.connectors; ++i) StartSession();
  bool finished = pool.RunUntil(
      [&] {
        return (NowNs() >= end_ns_ || !pool.refusal().empty()) &&
               pool.open() == 0;
      },
      end_ns_ + SecondsToNs(options.timeout));
  meter.Stop(&report);
  if (!finished) {
    MarkIncomplete(
        std::to_string(pool.open()) + " sessions still open at --timeout",
        &report);
  }
  Summary summary = Summarize(samples_);
  double seconds = NsToSeconds(last_completion_ns_ - start);
  report.Figure("sessions", completed_, "completed");
  report.Figure("sessions_per_s",
                PerSecond(static_cast<double>(completed_), seconds));
  report.Figure("session_p50_us", NsToMicros(static_cast<int64_t>(summary.p50)),
                "connect to close, median");
  report.Figure("session_p99_us",
                NsToMicros(static_cast<int64_t>(summary.p99)));
  CountDeliveries(started_, completed_, &report);
  AddPoolOutcome(pool, &report);
  return report;
}

}  // namespace

Report RunChurn(const RunContext& context) {
  ChurnRun run(context);
  return run.Run();
}

}  // namespace chat::bench
