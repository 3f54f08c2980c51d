// fanout: N receivers and one sender of K broadcasts with at most W in
// flight; the next goes out when every receiver has the oldest. Measures the
// time from sending to the last receiver's delivery, and deliveries per
// second.
#include <string>
#include <vector>

#include "bench/clock.h"
#include "bench/scenario.h"
#include "bench/stats.h"

namespace chat::bench {
namespace {

enum Role { kReceiver, kSender };

class FanoutRun : public ClientHandler {
 public:
  explicit FanoutRun(const RunContext& context) : context_(context) {}

  Report Run();

  void OnEvent(int id, const Event& event) override;

 private:
  void Deliver(int id, Client& c, int64_t sequence, int64_t now);
  void SendMore();
  bool Finished() const;

  const RunContext& context_;
  ClientPool* pool_ = nullptr;
  int sender_ = -1;
  std::string sender_name_;
  int64_t receivers_ = 0;
  int64_t next_ = 0;    // next sequence to send
  int64_t oldest_ = 0;  // oldest sequence not yet everywhere
  int64_t acks_ = 0;
  int64_t deliveries_ = 0;
  int64_t first_send_ns_ = 0, last_delivery_ns_ = 0, stop_sending_ns_ = 0;
  std::vector<int64_t> send_ns_;
  std::vector<int32_t> remaining_;  // receivers still waiting, per sequence
  std::vector<int64_t> samples_;
};

void FanoutRun::OnEvent(int id, const Event& event) {
  Client& c = pool_->client(id);
  if (event.kind == EventKind::kError) return;  // counted by the pool
  if (c.role == kReceiver && event.kind == EventKind::kBroadcast) {
    int64_t now = NowNs();
    auto sequence = ParseSequence(event.text);
    if (!SameName(event.from, sender_name_) || !sequence ||
        *sequence >= next_) {
      pool_->CountError(id, "unexpected broadcast: " + std::string(event.text));
      return;
    }
    // c.number: the next sequence this receiver must see. Per sender, the
    // order is guaranteed, so anything else is a protocol error; what was
    // skipped shows up as lost.
    if (*sequence != c.number) {
      pool_->CountError(id, "broadcast " + std::to_string(*sequence) +
                                " arrived when " + std::to_string(c.number) +
                                " was due");
      if (*sequence < c.number) return;  // a duplicate
    }
    c.number = *sequence + 1;
    Deliver(id, c, *sequence, now);
    return;
  }
  if (c.role == kSender && event.kind == EventKind::kAck &&
      event.from == "BCST") {
    ++acks_;
    auto count = ParseSequence(event.text);
    if (!count || *count != receivers_) {
      pool_->CountError(id, "OK BCST " + std::string(event.text) +
                                ", expected " + std::to_string(receivers_));
    }
    return;
  }
  pool_->CountError(id, "unexpected line: " + std::string(event.text));
}

void FanoutRun::Deliver(int, Client&, int64_t sequence, int64_t now) {
  ++deliveries_;
  last_delivery_ns_ = now;
  if (--remaining_[static_cast<size_t>(sequence)] != 0) return;
  samples_.push_back(now - send_ns_[static_cast<size_t>(sequence)]);
  while (oldest_ < next_ && remaining_[static_cast<size_t>(oldest_)] == 0) {
    ++oldest_;
  }
  SendMore();
}

void FanoutRun::SendMore() {
  const Options& options = context_.options;
  bool sent_any = false;
  while (next_ < options.messages && next_ < oldest_ + options.window) {
    int64_t now = NowNs();
    if (now >= stop_sending_ns_) break;
    if (next_ == 0) first_send_ns_ = now;
    send_ns_[static_cast<size_t>(next_)] = now;
    remaining_[static_cast<size_t>(next_)] = static_cast<int32_t>(receivers_);
    pool_->dialect().Broadcast(MessageText(next_, options.size),
                               pool_->Out(sender_));
    ++next_;
    sent_any = true;
  }
  // One write for the whole batch, as a client with a window would send it.
  if (sent_any) pool_->Flush(sender_);
}

bool FanoutRun::Finished() const {
  bool stopped =
      next_ >= context_.options.messages || NowNs() >= stop_sending_ns_;
  bool acked = !pool_->dialect().acks_broadcast() || acks_ >= next_;
  return stopped && oldest_ >= next_ && acked;
}

Report FanoutRun::Run() {
  const Options& options = context_.options;
  Report report = NewReport(context_);
  report.Param("receivers", options.users);
  report.Param("messages", options.messages, "broadcasts asked for");
  report.Param("window", options.window, "broadcasts in flight at most");
  report.Param("size", options.size, "bytes of text");
  SettleServer(context_, &report);

  ClientPool pool = MakePool(context_, this);
  pool_ = &pool;
  if (!PoolUsable(pool, &report)) return report;
  ScopedStatus status(context_.progress, [&] {
    return "fanout: " + std::to_string(pool.ready()) + " users ready, " +
           std::to_string(oldest_) + "/" + std::to_string(options.messages) +
           " broadcasts delivered everywhere";
  });
  const std::string tag = RunTag();
  const int64_t timeout = SecondsToNs(options.timeout);
  const int64_t start = NowNs();
  bool all = ConnectUsers(&pool, options.users, 'r', kReceiver, tag, true,
                          start + timeout);
  sender_name_ = UserName('s', tag, 0);
  all =
      ConnectUsers(&pool, 1, 's', kSender, tag, true, NowNs() + timeout) && all;
  report.Figure("connect_s", NsToSeconds(NowNs() - start),
                "to register every user");
  for (size_t id = 0; id < pool.size(); ++id) {
    const Client& c = pool.client(static_cast<int>(id));
    if (c.state == ClientState::kReady && c.role == kSender) {
      sender_ = static_cast<int>(id);
    }
  }
  if (!all || sender_ < 0) {
    MarkIncomplete("not every user could register", &report);
    AddPoolOutcome(pool, &report);
    return report;
  }
  receivers_ = options.users;
  AwaitAnnouncements(&pool, PairwiseAnnouncements(options.users + 1),
                     NowNs() + timeout, &report);

  send_ns_.assign(static_cast<size_t>(options.messages), 0);
  remaining_.assign(static_cast<size_t>(options.messages), 0);
  samples_.reserve(static_cast<size_t>(options.messages));
  CpuMeter meter(options.server_pid);
  meter.Start();
  stop_sending_ns_ = NowNs() + SecondsToNs(options.duration);
  SendMore();
  bool finished = pool.RunUntil([&] { return Finished(); },
                                std::max(stop_sending_ns_, NowNs()) + timeout);
  meter.Stop(&report);
  if (!finished) {
    MarkIncomplete("broadcasts still undelivered at --timeout", &report);
  }

  Summary summary = Summarize(samples_);
  double seconds = NsToSeconds(last_delivery_ns_ - first_send_ns_);
  report.Figure("broadcasts", next_, "sent");
  report.Figure("deliveries", deliveries_);
  report.Figure("deliveries_per_s",
                PerSecond(static_cast<double>(deliveries_), seconds),
                "first send to last delivery");
  report.Figure("p50_us", NsToMicros(static_cast<int64_t>(summary.p50)),
                "send to last receiver, median");
  report.Figure("p99_us", NsToMicros(static_cast<int64_t>(summary.p99)));
  report.Figure("max_us", NsToMicros(static_cast<int64_t>(summary.max)));
  CountDeliveries(next_ * receivers_, deliveries_, &report);
  if (context_.dialect.acks_broadcast()) {
    CountMissingAcks(next_ - acks_, "BCST", &report);
  }
  AddPoolOutcome(pool, &report);
  return report;
}

}  // namespace

Report RunFanout(const RunContext& context) {
  FanoutRun run(context);
  return run.Run();
}

}  // namespace chat::bench
