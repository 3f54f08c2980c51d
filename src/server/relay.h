// Relay: the broker's handling of frames from workers. A MESG goes to one
// worker; a BCST, a JOINED and a LEFT go to every registered worker but the
// sender. A kBroadcast and a kJoined are each answered with kBroadcastDone,
// in the order they came. The relay only queues; the broker flushes the workers
// it marks dirty once per loop turn, so a burst costs one send per worker.
//
// LEFT is announced exactly once per registered worker: on its kLeft, or
// when it is reaped still registered (a crash, SIGKILL), or when a new
// worker registers the same name first (the old one must have left the
// registry already; its kLeft is merely late).
#ifndef CHAT_SERVER_RELAY_H_
#define CHAT_SERVER_RELAY_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "server/log.h"
#include "server/worker_table.h"

namespace chat::server {

class Relay {
 public:
  // A worker with more than `hung_limit` bytes queued for it is not reading
  // its channel (stopped, looping): it is killed rather than let the
  // broker's memory grow.
  Relay(WorkerTable& table, ipc::Registry& registry, const Log& log,
        size_t hung_limit);

  // One frame from worker `from`.
  void OnFrame(uint32_t from, const ipc::FrameView& frame);

  // Worker `index` has been reaped and its last frames drained: frees its
  // registry entry and announces LEFT if nobody did. `why` is for the log
  // ("crashed with signal 9").
  void OnWorkerGone(uint32_t index, std::string_view why);

  // Tells every live worker to end its session with BYE `reason`.
  void ShutdownAll(std::string_view reason);

  // SIGKILLs a worker that broke the protocol or hangs; reaping does the rest.
  void Kill(uint32_t index, std::string_view why);

  // Indices with frames queued since the last call (or marked because their
  // channel became writable again); the broker flushes them.
  void MarkDirty(uint32_t index);
  // Swaps the list into *out (whose old contents are dropped), so both
  // vectors keep their capacity from turn to turn.
  void TakeDirty(std::vector<uint32_t>* out);

 private:
  // False if `to` can take no more frames (dying, killed, gone).
  bool Queue(uint32_t to, ipc::FrameKind kind, std::string_view payload,
             uint32_t count = 0);
  // Queues `lines` for every registered worker but `except`; returns how many.
  uint32_t FanOut(std::string_view lines, uint32_t except);
  void Joined(uint32_t from, std::string_view name);
  // Removes `index` from the registered set and tells the others.
  void AnnounceLeft(uint32_t index);

  WorkerTable& table_;
  ipc::Registry& registry_;
  const Log& log_;
  const size_t hung_limit_;
  std::vector<uint32_t> dirty_;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_RELAY_H_
