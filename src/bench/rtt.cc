// rtt: N idle registered users plus two active ones; A sends a private
// message carrying a sequence number, B echoes it back, A times the round
// trip. One message in flight, so the figure is pure latency.
//
// flood: the same quiet pair among N readers, measured twice: first alone,
// then while --flooders users keep their sockets full of BCST (to everyone:
// the readers and the pair) or, with --flood-with list, of LIST. What the
// server's flood control is for shows as the difference between the two.
#include <string>
#include <vector>

#include "bench/clock.h"
#include "bench/scenario.h"
#include "bench/stats.h"

namespace chat::bench {
namespace {

enum Role { kIdle, kPinger, kEchoer, kFlooder };

// A flooder's socket is topped up to this many bytes not yet taken by the
// kernel, a chunk of lines at a time: always more than the server reads.
constexpr size_t kFloodBacklog = 64 * 1024;
constexpr int kFloodChunkLines = 256;

class RttRun : public ClientHandler {
 public:
  explicit RttRun(const RunContext& context) : context_(context) {}

  Report Run();

  void OnEvent(int id, const Event& event) override;
  void OnOther(int id, const Event& event) override {
    (void)event;
    if (flood_ && pool_->client(id).role == kFlooder) ++flood_answers_;
  }

 private:
  void SendNext();
  bool Finished() const;
  void TopUpFlood();
  // Runs one phase of round trips; false if it did not finish.
  bool Measure(Report* report);

  const RunContext& context_;
  ClientPool* pool_ = nullptr;
  int pinger_ = -1, echoer_ = -1;
  std::string pinger_name_, echoer_name_;
  int64_t sent_ = 0, received_ = 0, echoed_ = 0;
  int64_t pinger_acks_ = 0, echoer_acks_ = 0;
  int64_t send_ns_ = 0, stop_sending_ns_ = 0;
  int64_t phase_end_ = 0;    // sent_ stops here in this phase
  int64_t phase_start_ = 0;  // the first sequence of this phase
  std::vector<int64_t> samples_;
  const bool flood_ = context_.options.scenario == Scenario::kFlood;
  bool flooding_ = false;
  std::vector<int> flooders_;
  int64_t flood_lines_ = 0;    // sent by the flooders
  int64_t flood_answers_ = 0;  // OK BCST or LIST answers they got
  int64_t pushes_ = 0;         // flood broadcasts received by anyone
};

void RttRun::OnEvent(int id, const Event& event) {
  Client& c = pool_->client(id);
  const Dialect& dialect = pool_->dialect();
  if (event.kind == EventKind::kError) return;  // counted by the pool
  if (flood_ && c.role == kFlooder) {
    ++flood_answers_;  // OK BCST, LIST, and the others' broadcasts
    return;
  }
  if (flood_ && event.kind == EventKind::kBroadcast) {
    ++pushes_;
    return;
  }
  if (c.role == kEchoer && event.kind == EventKind::kDirect) {
    if (!SameName(event.from, pinger_name_)) {
      pool_->CountError(id, "message from " + std::string(event.from));
      return;
    }
    dialect.Direct(pinger_name_, event.text, pool_->Out(id));
    pool_->Flush(id);
    ++echoed_;
    return;
  }
  if (c.role == kPinger && event.kind == EventKind::kDirect) {
    int64_t now = NowNs();
    auto sequence = ParseSequence(event.text);
    if (!SameName(event.from, echoer_name_) || !sequence ||
        *sequence != received_) {
      pool_->CountError(id, "unexpected echo: " + std::string(event.text));
      return;
    }
    ++received_;
    if (*sequence - phase_start_ >= context_.options.warmup) {
      samples_.push_back(now - send_ns_);
    }
    SendNext();
    return;
  }
  if (event.kind == EventKind::kAck && event.from == "MESG") {
    ++(c.role == kPinger ? pinger_acks_ : echoer_acks_);
    return;
  }
  pool_->CountError(id, "unexpected line for a " +
                            std::string(c.role == kIdle ? "idle" : "active") +
                            " user: " + std::string(event.text));
}

void RttRun::TopUpFlood() {
  if (!flooding_) return;
  const bool list = context_.options.flood_with_list;
  for (int id : flooders_) {
    Client& c = pool_->client(id);
    if (c.state != ClientState::kReady) continue;
    if (c.out.size() - c.out_sent >= kFloodBacklog) continue;
    for (int i = 0; i < kFloodChunkLines; ++i) {
      if (list) {
        c.out += "LIST\n";
      } else {
        pool_->dialect().Broadcast(MessageText(flood_lines_, 32), &c.out);
      }
      ++flood_lines_;
    }
    pool_->Flush(id);
  }
}

void RttRun::SendNext() {
  TopUpFlood();
  if (sent_ >= phase_end_) return;
  int64_t now = NowNs();
  if (now >= stop_sending_ns_) return;
  std::string text = MessageText(sent_, context_.options.size);
  send_ns_ = NowNs();
  pool_->dialect().Direct(echoer_name_, text, pool_->Out(pinger_));
  pool_->Flush(pinger_);
  ++sent_;
}

bool RttRun::Finished() const {
  bool stopped = sent_ >= phase_end_ || NowNs() >= stop_sending_ns_;
  bool acked = !pool_->dialect().acks_broadcast() ||
               (pinger_acks_ >= sent_ && echoer_acks_ >= echoed_);
  return stopped && received_ >= sent_ && acked;
}

bool RttRun::Measure(Report* report) {
  const Options& options = context_.options;
  samples_.clear();
  phase_start_ = sent_;
  phase_end_ = sent_ + options.messages;
  CpuMeter meter(options.server_pid);
  meter.Start();
  stop_sending_ns_ = NowNs() + SecondsToNs(options.duration);
  SendNext();
  bool finished = pool_->RunUntil(
      [&] { return Finished(); },
      std::max(stop_sending_ns_, NowNs()) + SecondsToNs(options.timeout));
  meter.Stop(report);
  return finished;
}

Report RttRun::Run() {
  const Options& options = context_.options;
  Report report = NewReport(context_);
  report.Param("idle_users", options.users, "registered, silent");
  report.Param("messages", options.messages, "round trips asked for");
  report.Param("warmup", options.warmup,
               "first round trips not in the figures");
  report.Param("size", options.size, "bytes of text");
  SettleServer(context_, &report);

  ClientPool pool = MakePool(context_, this);
  pool_ = &pool;
  if (!PoolUsable(pool, &report)) return report;
  const std::string tag = RunTag();
  const int64_t timeout = SecondsToNs(options.timeout);
  ScopedStatus status(context_.progress, [&] {
    return "rtt: " + std::to_string(pool.ready()) + " users ready, " +
           std::to_string(received_) + "/" + std::to_string(options.messages) +
           " round trips";
  });

  int64_t start = NowNs();
  // In a flood the pair connects first, then the flooders, then the
  // readers: the pair gets the loopback source addresses 127.0.0.1 and .2,
  // the flooders the next ones, so that a server can exempt the pair and
  // the readers and limit the flooders alone (run-bench.sh). In rtt, the
  // idle users come first.
  const int64_t flooders = flood_ ? options.flooders : 0;
  const int64_t idle_first = flood_ ? 0 : options.users;
  bool all =
      ConnectUsers(&pool, idle_first, 'i', kIdle, tag, false, start + timeout);
  pinger_name_ = UserName('a', tag, 0);
  echoer_name_ = UserName('b', tag, 0);
  all = ConnectUsers(&pool, 1, 'a', kPinger, tag, false, NowNs() + timeout) &&
        all;
  all = ConnectUsers(&pool, 1, 'b', kEchoer, tag, false, NowNs() + timeout) &&
        all;
  all = ConnectUsers(&pool, flooders, 'f', kFlooder, tag, false,
                     NowNs() + timeout) &&
        all;
  all = ConnectUsers(&pool, options.users - idle_first, 'i', kIdle, tag, false,
                     NowNs() + timeout) &&
        all;
  report.Figure("connect_s", NsToSeconds(NowNs() - start),
                "to register every user");
  for (size_t id = 0; id < pool.size(); ++id) {
    const Client& c = pool.client(static_cast<int>(id));
    if (c.state != ClientState::kReady) continue;
    if (c.role == kPinger) pinger_ = static_cast<int>(id);
    if (c.role == kEchoer) echoer_ = static_cast<int>(id);
    if (c.role == kFlooder) flooders_.push_back(static_cast<int>(id));
  }
  if (!all || pinger_ < 0 || echoer_ < 0) {
    MarkIncomplete("not every user could register", &report);
    AddPoolOutcome(pool, &report);
    return report;
  }
  // The server may still be announcing the last registrations; measuring
  // starts once it has finished.
  int64_t members =
      context_.dialect.has_channel() ? 0 : options.users + 2 + flooders;
  AwaitAnnouncements(&pool, PairwiseAnnouncements(members), NowNs() + timeout,
                     &report);

  if (flood_) {
    // The quiet pair alone first, for comparison.
    Report quiet = NewReport(context_);
    if (!Measure(&quiet)) {
      MarkIncomplete("round trips still outstanding at --timeout", &report);
    }
    Summary alone = Summarize(samples_);
    report.Figure("quiet_p50_us", NsToMicros(static_cast<int64_t>(alone.p50)),
                  "round trip without the flood, median");
    report.Figure("quiet_p99_us", NsToMicros(static_cast<int64_t>(alone.p99)));
    flooding_ = true;
  }
  const int64_t flood_start = NowNs();
  if (!Measure(&report)) {
    MarkIncomplete("round trips still outstanding at --timeout", &report);
  }
  if (flood_) {
    const double seconds = NsToSeconds(NowNs() - flood_start);
    report.Figure("flood_lines", flood_lines_, "lines the flooders queued");
    report.Figure(
        "flood_answers_per_s",
        seconds > 0 ? static_cast<double>(flood_answers_) / seconds : 0.0,
        "lines the flooders got back a second (answers, broadcasts)");
    report.Figure("flood_pushes_per_s",
                  seconds > 0 ? static_cast<double>(pushes_) / seconds : 0.0,
                  "flood broadcasts the others got a second");
  }

  Summary summary = Summarize(samples_);
  report.Figure("round_trips", static_cast<int64_t>(summary.count),
                "measured (after the warm-up)");
  report.Figure("p50_us", NsToMicros(static_cast<int64_t>(summary.p50)),
                "round trip, median");
  report.Figure("p90_us", NsToMicros(static_cast<int64_t>(summary.p90)));
  report.Figure("p99_us", NsToMicros(static_cast<int64_t>(summary.p99)));
  report.Figure("max_us", NsToMicros(static_cast<int64_t>(summary.max)));
  report.Figure("mean_us", NsToMicros(static_cast<int64_t>(summary.mean)));
  CountDeliveries(sent_, received_, &report);
  if (context_.dialect.acks_broadcast()) {
    CountMissingAcks((sent_ - pinger_acks_) + (echoed_ - echoer_acks_), "MESG",
                     &report);
  }
  AddPoolOutcome(pool, &report);
  return report;
}

}  // namespace

Report RunRtt(const RunContext& context) {
  RttRun run(context);
  return run.Run();
}

Report RunFlood(const RunContext& context) { return RunRtt(context); }

}  // namespace chat::bench
