// hold: open and register N users, time how long reaching N takes (every
// registration announced to everyone already there), measure the server's
// memory per session, and hold the sessions for S seconds.
#include <string>

#include "bench/clock.h"
#include "bench/scenario.h"

namespace chat::bench {
namespace {

class HoldRun : public ClientHandler {
 public:
  explicit HoldRun(const RunContext& context) : context_(context) {}

  Report Run();

  void OnEvent(int id, const Event& event) override {
    if (event.kind == EventKind::kError) return;  // counted by the pool
    pool_->CountError(id, "unexpected line: " + std::string(event.text));
  }

 private:
  const RunContext& context_;
  ClientPool* pool_ = nullptr;
};

Report HoldRun::Run() {
  const Options& options = context_.options;
  Report report = NewReport(context_);
  report.Param("users", options.users);
  report.Param("hold_s", options.duration, "seconds the sessions are held");
  SettleServer(context_, &report);

  ClientPool pool = MakePool(context_, this);
  pool_ = &pool;
  if (!PoolUsable(pool, &report)) return report;
  const char* phase = "registering";
  ScopedStatus status(context_.progress, [&] {
    return std::string("hold: ") + phase + ", " + std::to_string(pool.ready()) +
           "/" + std::to_string(options.users) + " ready, " +
           std::to_string(pool.counters().announced_joins) + " announced";
  });
  const std::string tag = RunTag();
  const int64_t timeout = SecondsToNs(options.timeout);
  CpuMeter meter(options.server_pid);
  meter.Start();
  const int64_t start = NowNs();
  // Reaching N, announcements included, is one phase bounded by --timeout.
  const int64_t connect_bound = timeout;
  // In the chat protocol every registration is announced to everyone; an
  // IRC server announces only channel joins, which --hold-join adds.
  const bool announced = !context_.dialect.has_channel() || options.hold_join;
  bool all = ConnectUsers(&pool, options.users, 'h', 0, tag, options.hold_join,
                          start + connect_bound);
  report.Figure("reach_s", NsToSeconds(NowNs() - start),
                "to register every user");
  if (!all) {
    MarkIncomplete("only " + std::to_string(pool.ready()) +
                       " users could register in time",
                   &report);
    pool.CancelPending();
  }
  phase = "announcing";
  AwaitAnnouncements(&pool, announced ? PairwiseAnnouncements(pool.ready()) : 0,
                     start + connect_bound, &report);
  report.Figure("announce_s", NsToSeconds(NowNs() - start),
                "until every announcement arrived");
  meter.Stop(&report);
  if (options.server_pid > 0) {
    if (auto sample = SampleTree(options.server_pid, true)) {
      int64_t held = std::max<int64_t>(1, pool.ready());
      report.Figure("server_processes", int64_t{sample->processes});
      report.Figure("pss_kib", sample->pss_kib,
                    "server Pss, all its processes");
      report.Figure(
          "pss_kib_per_session",
          static_cast<double>(sample->pss_kib) / static_cast<double>(held));
      report.Figure("pss_anon_kib", sample->pss_anon_kib,
                    "of the Pss: anonymous (heap, stacks, ...)");
      report.Figure("pss_file_kib", sample->pss_file_kib,
                    "of the Pss: files (program, libraries)");
      report.Figure("pss_shmem_kib", sample->pss_shmem_kib,
                    "of the Pss: shared memory");
      report.Figure("page_table_kib", sample->page_table_kib,
                    "page tables (VmPTE), not in the Pss");
      if (sample->unreadable_pss > 0) {
        report.problems.push_back(std::to_string(sample->unreadable_pss) +
                                  " server processes' Pss unreadable");
      }
    } else {
      MarkIncomplete("the server process is gone", &report);
    }
  }
  phase = "holding";
  pool.RunUntil([] { return false; }, NowNs() + SecondsToNs(options.duration));
  report.Figure("held", pool.ready(), "sessions open at the end");
  CountDeliveries(options.users, pool.ready(), &report);
  AddPoolOutcome(pool, &report);
  return report;
}

}  // namespace

Report RunHold(const RunContext& context) {
  HoldRun run(context);
  return run.Run();
}

}  // namespace chat::bench
