// Broker: the parent process. One epoll loop over the listening sockets, a
// signalfd (SIGCHLD, SIGTERM, SIGINT), the spawner's control socket and every
// worker's channel. It accepts and has the spawner start a worker
// (spawner.h), relays frames (relay.h), reaps, and runs the shutdown. It
// never blocks on a worker: channels are non-blocking and each has a bounded
// queue.
#ifndef CHAT_SERVER_BROKER_H_
#define CHAT_SERVER_BROKER_H_

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ipc/registry.h"
#include "ipc/unique_fd.h"
#include "server/address_limits.h"
#include "server/listener.h"
#include "server/log.h"
#include "server/login_move.h"
#include "server/moderation.h"
#include "server/options.h"
#include "server/relay.h"
#include "server/spawner.h"
#include "server/store_link.h"
#include "server/worker_table.h"

namespace chat::server {

class Broker {
 public:
  // `spawner` was started from `context` (Start is called again with it if
  // the spawner dies).
  Broker(const Options& options, const Log& log, ipc::Registry& registry,
         std::vector<Listener> listeners, Spawner spawner,
         const SpawnContext& context);

  // Creates the epoll set and the signalfd. SIGCHLD, SIGTERM and SIGINT
  // must already be blocked (before any other thread or child exists).
  bool Init(std::string* error);

  // Serves until SIGTERM/SIGINT and every worker is gone; the exit status.
  int Run();

 private:
  using Clock = std::chrono::steady_clock;
  // Frames read per wake-up of a channel: enough to batch, few enough that
  // one busy worker cannot starve the others.
  static constexpr int kFramesPerTurn = 64;
  enum class Tag : uint64_t {
    kListener = 1,
    kSignals = 2,
    kWorker = 3,
    kSpawner = 4,
    kStore = 5
  };

  bool Watch(int fd, uint32_t events, Tag tag, uint32_t index,
             uint32_t generation = 0, int op = EPOLL_CTL_ADD);
  void Dispatch(const epoll_event& event);

  void AcceptFrom(size_t listener);
  // A connection with its index and channel, on its way to the spawner.
  struct Start {
    uint32_t index;
    ipc::UniqueFd client;
    ipc::Channel worker_end;
    std::string peer;
    WayIn way = WayIn::kPlain;
  };
  // Starts a worker for `client`, or refuses it (--max-connections, the
  // per-address limits).
  void StartWorker(ipc::UniqueFd client, const sockaddr* address,
                   socklen_t length, WayIn way);
  // Hands `start` to the spawner; when its control socket is full, holds it
  // and stops accepting until the socket takes it (SendHeld).
  void SendStart(Start start);
  void SendHeld();
  // Answers a connection that gets no worker, then closes it; `why` goes
  // to the log only.
  void Refuse(ipc::UniqueFd client, const std::string& peer,
              std::string_view detail, std::string_view why = {});
  // Frees a connection's entry, and its place in the per-address count
  // (a connection whose worker ran and never registered costs its address
  // a penalty).
  void Release(uint32_t index);
  // The same for a banned address: ERR Banned.
  void RefuseBanned(ipc::UniqueFd client, const std::string& peer);
  // Sends `line`, logs the refusal (`why`) and closes.
  void SendAndClose(ipc::UniqueFd client, const std::string& peer,
                    std::string_view line, std::string_view why);
  void PauseAccepting();
  void ResumeAccepting();
  void WatchListeners(uint32_t events);

  // Reads up to `max_frames` frames; true if it stopped at that limit with
  // the channel still open (there may be more).
  bool ReadChannel(uint32_t index, int max_frames);
  void StopReading(uint32_t index);
  void FlushDirty();

  // Takes every reply the spawner has sent.
  void ReadSpawner();
  void OnSpawnReply(const SpawnReply& reply);
  void SpawnerGone(int wait_status);
  void RestartSpawner();
  // Kills a spawner silent for kSpawnerSilence while requests wait.
  void CheckSpawner(Clock::time_point now);
  static const std::chrono::milliseconds kSpawnerSilence;
  void StopSpawner();
  // The end of a connection whose worker's pid never arrived (its spawner
  // died): once its channel is closed, it is cleared like a reaped worker.
  void FinishOrphan(uint32_t index);

  // Frames a worker sends that are not the relay's (store/store_link.h,
  // server/login_move.h); false if the relay should take it.
  bool OnOtherFrame(uint32_t index, const ipc::FrameView& frame);
  void WatchStore();

  void HandleSignals();
  void ReapChildren();
  void Reap(pid_t pid, int wait_status);

  void BeginShutdown(int signal);
  void KillAll();
  int TimeoutMs() const;
  // The exit status once the loop should stop.
  std::optional<int> HandleTimers();

  const Options& options_;
  const Log& log_;
  ipc::Registry& registry_;
  std::vector<Listener> listeners_;
  WorkerTable table_;
  AddressLimits address_limits_;
  Relay relay_;
  std::optional<StoreLink> store_;  // none with --ephemeral
  bool store_watched_ = false;
  bool store_want_write_ = false;
  LoginMoves moves_;
  Moderation moderation_;  // before store_, which it is handed to
  uint32_t next_session_ = 0;
  ipc::UniqueFd epoll_;
  ipc::UniqueFd signals_;
  std::vector<uint32_t> flushing_;

  const SpawnContext spawn_context_;
  std::optional<Spawner> spawner_;  // none while it is being restarted
  bool spawner_watched_ = false;
  std::optional<Clock::time_point> restart_spawner_at_;
  std::optional<Start> held_;  // waits for room on the control socket
  // Requests sent, replies not read yet.
  size_t pending_spawns_ = 0;
  // When the spawner last answered, or was first asked after a silence.
  Clock::time_point spawner_heard_at_;
  // Workers reaped before the spawner's reply named them: pid -> status.
  std::unordered_map<pid_t, int> reaped_early_;

  std::optional<Clock::time_point> resume_accepting_at_;
  bool shutting_down_ = false;
  Clock::time_point shutdown_deadline_;
  bool killed_all_ = false;
  Clock::time_point kill_deadline_;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_BROKER_H_
