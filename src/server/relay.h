// Relay: the broker's handling of frames from workers. A MESG goes to one
// worker; a BCST, a JOINED and a LEFT go to every registered worker but the
// sender. A kBroadcast and a kJoined are each answered with kBroadcastDone,
// in the order they came. The relay only queues; the broker flushes the workers
// it marks dirty once per loop turn, so a burst costs one send per worker.
//
// Announcements (JOINED, LEFT) are coalesced. Every send to a worker wakes
// a process, and with thousands of processes a wake-up costs about 10 us
// here: during a mass join, announcing each join in a pass of its own to
// every user would leave the joins themselves waiting behind those passes.
// Held announcements go out together in a pass, no sooner after the last
// pass ended than that pass took (at least `min_window`, at most
// `max_window`), so announcing takes at most about half the time and the
// joins the rest. Everything else (BCST, MESG, answers, shutdown) goes out in
// the turn it was queued, taking any held announcements along in order; a
// burst of broadcasts is batched by the turn (one send per worker for all
// the frames read in it).
//
// LEFT is announced exactly once per registered worker: on its kLeft, or
// when it is reaped still registered (a crash, SIGKILL), or when a new
// worker registers the same name first (the old one must have left the
// registry already; its kLeft is merely late).
#ifndef CHAT_SERVER_RELAY_H_
#define CHAT_SERVER_RELAY_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "server/consent.h"
#include "server/file_transfer.h"
#include "server/log.h"
#include "server/rooms.h"
#include "server/worker_table.h"

namespace chat::server {

class Relay {
 public:
  using Clock = std::chrono::steady_clock;

  // A worker with more than `hung_limit` bytes queued for it is not reading
  // its channel (stopped, looping): it is killed rather than let the
  // broker's memory grow. Announcements wait as the top of this file says.
  Relay(WorkerTable& table, ipc::Registry& registry, const Log& log,
        size_t hung_limit, Clock::duration min_window,
        Clock::duration max_window, uint32_t max_rooms = 1000,
        FileLimits file_limits = {});

  // The open file transfers (their timeouts are the broker's to run).
  FileTransfers& files() { return files_; }
  const FileTransfers& files() const { return files_; }

  // One frame from worker `from`.
  void OnFrame(uint32_t from, const ipc::FrameView& frame);

  // Worker `index` has been reaped and its last frames drained: frees its
  // registry entry and announces LEFT if nobody did. `why` is for the log
  // ("crashed with signal 9").
  void OnWorkerGone(uint32_t index, std::string_view why);
  // Registry entries of dead workers the broker could not clear because
  // another process held the registry's mutex (the broker never waits for
  // it): retried without waiting until cleared. True while some remain.
  bool RetryRegistryClears();
  bool registry_clears_pending() const { return !registry_clears_.empty(); }

  // Tells every live worker to end its session with BYE `reason`.
  void ShutdownAll(std::string_view reason);

  // Queues one frame for worker `to`, sent this turn; false if it can take
  // no more (dying, killed, gone).
  bool SendNow(uint32_t to, ipc::FrameKind kind, std::string_view payload,
               uint32_t count = 0) {
    return Queue(to, kind, payload, count, Send::kNow);
  }

  // Lines relayed as private messages or broadcasts, for the history:
  // `lines` are the pushes, `to` the recipient's name or "*".
  using HistorySink = void (*)(void* context, std::string_view lines,
                               std::string_view to);
  void SetHistorySink(HistorySink sink, void* context) {
    history_sink_ = sink;
    history_context_ = context;
  }
  // Requests for the store that need no answer (store/wire.h), from the
  // broker's own state (consent.h); dropped without a store.
  using StoreSink = void (*)(void* context, std::string_view request);
  void SetStoreSink(StoreSink sink, void* context) {
    store_sink_ = sink;
    store_context_ = context;
  }
  void Store(std::string_view request) {
    if (store_sink_) store_sink_(store_context_, request);
  }
  // Hands relayed lines to the history, if it is kept (room messages).
  void Record(std::string_view lines, std::string_view to) {
    if (history_sink_) history_sink_(history_context_, lines, to);
  }

  // SIGKILLs a worker that broke the protocol or hangs; reaping does the rest.
  void Kill(uint32_t index, std::string_view why);

  // Indices with frames to send now (queued since the last call, marked
  // because their channel became writable again, or holding announcements
  // whose gap has ended at `now`); the broker flushes them.
  void MarkDirty(uint32_t index);
  // Fills *out (whose old contents are dropped) with each such index once,
  // taking them off the list. True if held announcements are among them: the
  // broker then reports when it was done sending them (PassDone), which sets
  // the next gap.
  bool TakeDirty(Clock::time_point now, std::vector<uint32_t>* out);
  void PassDone(Clock::time_point start, Clock::time_point end);
  // When held announcements are due, if any are held.
  std::optional<Clock::time_point> held_due() const;

  // For the feature modules (rooms.h, consent.h): `lines` for worker `to`'s
  // client, sent now or, as an announcement, held like JOINED (false if
  // `to` takes no more frames); and the answer to `to`'s oldest request
  // frame.
  bool Deliver(uint32_t to, std::string_view lines, bool announcement = false);
  void Answer(uint32_t to, std::string_view line);

 private:
  std::vector<ipc::WorkerId> registry_clears_;
  enum class Send { kNow, kHeld };
  // False if `to` can take no more frames (dying, killed, gone).
  bool Queue(uint32_t to, ipc::FrameKind kind, std::string_view payload,
             uint32_t count = 0, Send send = Send::kNow);
  void MarkHeld(uint32_t index);
  // Queues `lines` for every registered worker but `except`, held as `send`
  // says; returns how many.
  uint32_t FanOut(std::string_view lines, uint32_t except, Send send);
  void Joined(uint32_t from, std::string_view name);
  // Removes `index` from the registered set and tells the others.
  void AnnounceLeft(uint32_t index);

  WorkerTable& table_;
  ipc::Registry& registry_;
  const Log& log_;
  const size_t hung_limit_;
  const Clock::duration min_window_;
  const Clock::duration max_window_;
  HistorySink history_sink_ = nullptr;
  StoreSink store_sink_ = nullptr;
  void* store_context_ = nullptr;
  void* history_context_ = nullptr;
  std::vector<uint32_t> dirty_;
  std::vector<uint32_t> held_;  // may list an index twice; entry.held decides
  // The last pass of held announcements.
  Clock::time_point pass_start_;
  Clock::time_point pass_end_;
  Rooms rooms_;
  Consent consent_;
  FileTransfers files_;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_RELAY_H_
