// The Worker behind RunWorker (worker.h), for the files that implement it:
// worker.cc (set-up, the poll() loop and the end) and worker_io.cc
// (reading and writing the client, the channel and the signalfd).
#ifndef CHAT_SERVER_WORKER_PROCESS_H_
#define CHAT_SERVER_WORKER_PROCESS_H_

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/channel.h"
#include "ipc/io.h"
#include "ipc/unique_fd.h"
#include "server/log.h"
#include "server/options.h"
#include "server/session.h"
#include "server/token_bucket.h"
#include "server/way_in.h"
#include "server/worker.h"
#include "transport/plain_stream.h"
#include "transport/stream.h"

namespace chat::server::worker_internal {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline constexpr size_t kReadChunk = 64 * 1024;
inline constexpr size_t kPageSize = 4096;
// Client input is not read while this much is queued for the broker (the
// broker is busy) or for the client (it does not read its answers): a client
// cannot make the server buffer without bound by pipelining requests.
inline constexpr size_t kChannelHighWater = 256 * 1024;
inline constexpr size_t kOutputHighWaterMax = 256 * 1024;
// Frames taken from the broker per turn, so a flood of pushes cannot starve
// the client's own requests.
inline constexpr int kFramesPerTurn = 256;
// How long a finishing worker keeps trying to hand over its last frames and
// its last lines (BYE, OK QUIT) before it exits anyway.
inline constexpr milliseconds kFinishTimeout{2000};
// The kernel's send buffer for the client is sized from --send-queue rather
// than left to autotuning (up to 4 MiB), so that what a connection can hold
// undelivered, in the kernel and here together, stays about twice the
// option. Linux doubles the value set, hence the half.
inline constexpr size_t kMinSocketSendBuffer = 16 * 1024;
inline constexpr size_t kMaxSocketSendBuffer = 4 * 1024 * 1024;
// Unread client input discarded before close, so the close is a FIN rather
// than a reset that could destroy the last lines in flight to the client.
inline constexpr size_t kMaxDrainOnClose = 1 << 20;

// Where client input is read to and frames from the broker are received:
// one buffer for both, as each is done with before the other is used (input
// is copied into the line assembler, a frame written out or copied into the
// output). Static rather than on the stack or the heap: only the pages
// read() and recv() fill get touched, the stack frames called from here stay
// on the pages the loop already uses, and page-aligned so that a short line
// or frame costs one page. Pages a big frame or read touched beyond the
// first are given back (see ReleaseBufferPages), so a worker that once
// received a burst does not own them for the rest of its session.
// Whole pages, so that releasing the pages a read touched never reaches
// past its end into whatever the linker placed next.
inline constexpr size_t kIoBufferSize =
    (std::max(kReadChunk, ipc::kReceiveBufferSize) + kPageSize - 1) /
    kPageSize * kPageSize;
extern char io_buffer[kIoBufferSize];

// Pushes at least this big are written to the client straight from the
// receive buffer when nothing is waiting before them, rather than appended
// to the output first: a burst (a backlog of announcements the broker packed
// into one frame) then never grows the heap. Smaller ones are appended, so
// the frames of one turn still leave in one write.
inline constexpr size_t kDirectWriteMin = 1024;

inline int MillisecondsUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  // Rounded up, so a poll never wakes just before its deadline and spins.
  return static_cast<int>(std::max<int64_t>(0, left.count() + 1));
}

class Worker {
 public:
  explicit Worker(WorkerSetup setup)
      : client_(std::move(setup.client)),
        channel_(std::move(setup.channel)),
        options_(*setup.options),
        log_(*setup.log),
        subject_(ClientSubject(setup.client_number, getpid())),
        way_(setup.way),
        ways_in_(setup.ways_in),
        sandbox_(setup.sandbox),
        plain_(client_.get()),
        session_(*setup.registry, channel_, setup.id, log_, subject_),
        output_high_water_(
            std::min(options_.send_queue / 2, kOutputHighWaterMax)) {
    session_.set_output_pause(output_high_water_);
    session_.set_store(!options_.ephemeral, setup.hash_slots);
    session_.set_max_file_size(options_.max_file_size);
  }

  [[noreturn]] void Run();

 private:
  bool SetUpSignals();
  // One turn of the loop: flush, poll, handle what is ready.
  void Turn();
  void FlushChannel();
  void WriteClient();
  // Sends what the transport itself still holds; false if it still does.
  bool FlushStream();
  // Advances the transport's opening (TLS handshake, HTTP upgrade).
  void OpenStream();
  // A transport failure or end: the session ends as the status says.
  void OnStreamEnd(const transport::Result& result, const char* doing);
  // One send() of `bytes` to the client; how many it took (0 when it took
  // none or failed; a failure ends the session).
  size_t SendToClient(std::string_view bytes);
  // A failed write to the client: the session ends, unless the client had
  // already sent its end of file (its lines are still handled).
  void OnSendFailed(const transport::Result& result);
  void ReadChannel();
  // A kDeliver frame: written at once or appended to the output.
  void Deliver(const ipc::FrameView& frame);
  // Gives back the pages of io_buffer beyond the first that reads touched
  // since the last time.
  void ReleaseBufferPages();
  void ReadClient();
  void ReadSignals();
  [[noreturn]] void Finish();

  ipc::UniqueFd client_;
  ipc::Channel channel_;
  const Options& options_;
  const Log& log_;
  const std::string subject_;
  const WayIn way_;
  const WaysIn* const ways_in_;
  const Sandbox* const sandbox_;
  // The connection's transport (transport/stream.h): plain_ for the plain
  // port, which costs the worker no allocation, or a TLS or web stream.
  transport::PlainStream plain_;
  std::unique_ptr<transport::Stream> other_stream_;
  transport::Stream* stream_ = &plain_;
  Session session_;
  // Flood control's budget of lines (flood.h); empty when --flood is off or
  // the client's address is exempt (address_policy.h).
  std::optional<TokenBucket> flood_;
  // And of file data, in bytes: set with flood_.
  std::optional<TokenBucket> file_flood_;
  const size_t output_high_water_;
  ipc::UniqueFd signals_;
  Clock::time_point join_deadline_;
  bool client_write_failed_ = false;
  bool client_eof_ = false;
  size_t buffer_touched_ = 0;  // bytes of io_buffer written since a release
};

}  // namespace chat::server::worker_internal

#endif  // CHAT_SERVER_WORKER_PROCESS_H_
