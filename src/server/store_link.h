// StoreLink: the broker's side of the store process (store/store_process.h).
// It forks the store, passes workers' requests to it (stamped with the
// asking worker and its session number), passes the store's answers back to
// the worker named, reports sessions for the audit log and messages for the
// history, and restarts the store when it dies. It never waits for the
// store: the channel is non-blocking and its queue bounded.
//
// A store that dies loses nothing it committed. Requests it had not answered
// are lost with it: every worker is told (kStoreGone), and a worker waiting
// for an answer gives its client an error instead of waiting for ever.
//
// A stopped or stuck store would leave every worker waiting: with a
// worker's request sent, the broker pings the store (kPing, answered to
// store::kReadyTarget), and a store that leaves the ping unanswered for
// kStoreSilence is killed, which the reap above turns into a restart.
#ifndef CHAT_SERVER_STORE_LINK_H_
#define CHAT_SERVER_STORE_LINK_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "server/log.h"
#include "server/moderation.h"
#include "server/options.h"
#include "server/relay.h"
#include "server/worker_table.h"

namespace chat::server {

class StoreLink {
 public:
  using Clock = std::chrono::steady_clock;

  // How long the store may leave a ping unanswered before it is killed.
  static constexpr std::chrono::seconds kStoreSilence{10};

  // `moderation` takes the store's kBanList and kKick frames.
  StoreLink(const Options& options, const Log& log, ipc::Registry& registry,
            WorkerTable& table, Relay& relay, Moderation& moderation);

  // Forks the store process. Call before the broker's heap grows, with
  // SIGCHLD, SIGTERM and SIGINT blocked. False with *error set on failure.
  bool Start(std::string* error);

  // At start-up: waits until the store has opened the database (and sent
  // the bans).
  bool WaitReady(std::string* error);

  int fd() const { return channel_ ? channel_->fd() : -1; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && channel_.has_value(); }
  // The store's channel needs EPOLLOUT: frames wait to be sent.
  bool wants_write() const { return channel_ && channel_->has_queued(); }

  // A kStoreRequest from worker `index`.
  void FromWorker(uint32_t index, const ipc::FrameView& frame);
  // The audit log: a session began (its worker's pid is known), and ended.
  void SessionOpen(const WorkerEntry& entry);
  void SessionEnd(const WorkerEntry& entry, std::string_view how);
  // The history: lines of MESG/BCST pushes (as relayed) to `to` ("*" for a
  // broadcast).
  void Record(std::string_view lines, std::string_view to);

  // A request of the broker's own that gets no answer (wire.h).
  void Tell(std::string_view request) {
    if (running()) Send(request, {}, 0);
  }

  // The channel is readable: answers go to their workers.
  void OnReadable();
  // Sends what waits; true if the socket is full (EPOLLOUT wanted).
  bool Flush();

  // A child was reaped; true if it was the store (it is restarted, or a
  // retry is scheduled).
  bool OnReaped(pid_t pid, int wait_status, bool shutting_down);
  std::optional<Clock::time_point> restart_due() const { return restart_at_; }
  void RestartIfDue(Clock::time_point now);

  // When the unanswered ping's time runs out, if one is outstanding.
  std::optional<Clock::time_point> silence_due() const {
    if (!ping_sent_at_) return std::nullopt;
    return *ping_sent_at_ + kStoreSilence;
  }
  // Kills a store that has left the ping unanswered for kStoreSilence.
  void CheckSilence(Clock::time_point now);

  // Closes the channel (the store commits and exits) and reaps the store,
  // SIGKILLing it if it does not exit in time.
  void Stop();

  // The store's channel was replaced (restart): the broker re-registers it.
  bool TakeReplaced() {
    bool replaced = replaced_;
    replaced_ = false;
    return replaced;
  }

 private:
  void Send(std::string_view payload, ipc::WorkerId worker, uint32_t session);
  void Restart();

  const Options& options_;
  const Log& log_;
  ipc::Registry& registry_;
  WorkerTable& table_;
  Relay& relay_;
  Moderation& moderation_;
  const int64_t run_;
  pid_t pid_ = -1;
  Clock::time_point started_at_;
  std::optional<ipc::Channel> channel_;
  std::optional<Clock::time_point> restart_at_;
  std::optional<Clock::time_point> ping_sent_at_;  // not yet answered
  bool replaced_ = false;
  uint64_t dropped_ = 0;  // history records dropped while the store lagged
};

}  // namespace chat::server

#endif  // CHAT_SERVER_STORE_LINK_H_
