// The worker's poll() loop. Each turn first flushes frames to the broker and
// writes to the client only once none is left queued, so whatever a client
// sees (OK JOIN, OK MESG) has already reached the broker's socket: anything
// the client or its peers do next is relayed after it.
#include "server/worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "ipc/io.h"
#include "server/address.h"
#include "server/session.h"

namespace chat::server {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kReadChunk = 64 * 1024;
// Client input is not read while this much is queued for the broker (the
// broker is busy) or for the client (it does not read its answers): a client
// cannot make the server buffer without bound by pipelining requests.
constexpr size_t kChannelHighWater = 256 * 1024;
constexpr size_t kOutputHighWaterMax = 256 * 1024;
// Frames taken from the broker per turn, so a flood of pushes cannot starve
// the client's own requests.
constexpr int kFramesPerTurn = 256;
// How long a finishing worker keeps trying to hand over its last frames and
// its last lines (BYE, OK QUIT) before it exits anyway.
constexpr milliseconds kFinishTimeout{2000};
// The kernel's send buffer for the client is sized from --send-queue rather
// than left to autotuning (up to 4 MiB), so that what a connection can hold
// undelivered, in the kernel and here together, stays about twice the
// option. Linux doubles the value set, hence the half.
constexpr size_t kMinSocketSendBuffer = 16 * 1024;
constexpr size_t kMaxSocketSendBuffer = 4 * 1024 * 1024;
// Unread client input discarded before close, so the close is a FIN rather
// than a reset that could destroy the last lines in flight to the client.
constexpr size_t kMaxDrainOnClose = 1 << 20;

// Where client input is read to. Static rather than on the stack: only the
// pages read() fills get touched, and the stack frames called from here stay
// on the pages the loop already uses instead of 64 KiB further down, so a
// worker that reads short lines owns fewer pages.
char* ReadBuffer() {
  static char buffer[kReadChunk];
  return buffer;
}

int MillisecondsUntil(Clock::time_point deadline) {
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
        session_(*setup.registry, channel_, setup.id, log_, subject_),
        output_high_water_(
            std::min(options_.send_queue / 2, kOutputHighWaterMax)) {
    session_.set_output_pause(output_high_water_);
  }

  [[noreturn]] void Run();

 private:
  bool SetUpSignals();
  // One turn of the loop: flush, poll, handle what is ready.
  void Turn();
  void FlushChannel();
  void WriteClient();
  void ReadChannel();
  void ReadClient();
  void ReadSignals();
  [[noreturn]] void Finish();

  ipc::UniqueFd client_;
  ipc::Channel channel_;
  const Options& options_;
  const Log& log_;
  const std::string subject_;
  Session session_;
  const size_t output_high_water_;
  ipc::UniqueFd signals_;
  Clock::time_point join_deadline_;
  bool client_write_failed_ = false;
  bool client_eof_ = false;
};

bool Worker::SetUpSignals() {
  // The broker blocked these before forking; here SIGTERM and SIGINT (the
  // broker's death, an operator) arrive through a signalfd and SIGCHLD is
  // of no interest.
  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGTERM);
  sigaddset(&wanted, SIGINT);
  if (sigprocmask(SIG_SETMASK, &wanted, nullptr) != 0) {
    log_.Error(subject_, ErrnoText("sigprocmask", errno));
    return false;
  }
  signals_.Reset(signalfd(-1, &wanted, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals_) {
    log_.Error(subject_, ErrnoText("signalfd", errno));
    return false;
  }
  return true;
}

void Worker::Run() {
  log_.Info(subject_, "accepted from " + PeerAddressOf(client_.get()));
  if (!SetUpSignals()) _exit(ExitStatusOf(EndReason::kInternalError));
  int send_buffer = static_cast<int>(std::clamp(
      options_.send_queue / 2, kMinSocketSendBuffer, kMaxSocketSendBuffer));
  if (setsockopt(client_.get(), SOL_SOCKET, SO_SNDBUF, &send_buffer,
                 sizeof send_buffer) != 0) {
    log_.Error(subject_, ErrnoText("setsockopt SO_SNDBUF", errno));
  }
  // Each turn writes whole lines at once; Nagle's algorithm would only hold
  // a push back until the client's delayed ACK of the previous one (40 ms).
  int one = 1;
  if (setsockopt(client_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) !=
      0) {
    log_.Error(subject_, ErrnoText("setsockopt TCP_NODELAY", errno));
  }
  join_deadline_ =
      Clock::now() + std::chrono::seconds(options_.join_timeout_seconds);
  session_.Start();
  while (!session_.ended()) Turn();
  Finish();
}

void Worker::Turn() {
  FlushChannel();
  if (!channel_.has_queued()) WriteClient();
  // Lines held back by a full output may go on now that some was written;
  // what they produce goes out in the next turn.
  session_.Resume();
  if (session_.ended()) return;

  pollfd fds[3] = {};
  fds[0].fd = signals_.get();
  fds[0].events = POLLIN;
  fds[1].fd = channel_.fd();
  fds[1].events = POLLIN | (channel_.has_queued() ? POLLOUT : 0);
  fds[2].fd = client_.get();
  bool read_client =
      session_.wants_input() && channel_.queued_bytes() < kChannelHighWater;
  bool write_client = !session_.output().empty() && !channel_.has_queued();
  fds[2].events = static_cast<short>((read_client ? POLLIN : 0) |
                                     (write_client ? POLLOUT : 0));
  int timeout = session_.registered() ? -1 : MillisecondsUntil(join_deadline_);

  int ready = poll(fds, 3, timeout);
  if (ready < 0) {
    if (errno == EINTR) return;
    session_.OnInternalError(ErrnoText("poll", errno));
    return;
  }
  if (fds[0].revents) ReadSignals();
  if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) ReadChannel();
  if (read_client && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
    ReadClient();
  } else if (fds[2].revents & (POLLHUP | POLLERR)) {
    // Reset (or fully shut) while input is paused: poll() would report it
    // again at once, and the client can receive nothing more anyway.
    client_write_failed_ = true;
    session_.OnClientClosed();
  }
  if (!session_.registered() && Clock::now() >= join_deadline_) {
    session_.OnJoinTimeout();
  }
  if (session_.output().size() > options_.send_queue) {
    log_.Info(subject_, "send queue exceeded: " +
                            std::to_string(session_.output().size()) +
                            " bytes undelivered");
    session_.OnSendQueueExceeded();
  }
}

void Worker::FlushChannel() {
  if (!channel_.has_queued()) return;
  switch (channel_.Flush()) {
    case ipc::ChannelStatus::kOk:
    case ipc::ChannelStatus::kWouldBlock:
      return;
    case ipc::ChannelStatus::kClosed:
      session_.OnBrokerGone();
      return;
    case ipc::ChannelStatus::kError:
      session_.OnInternalError(ErrnoText("channel send", errno));
      return;
  }
}

void Worker::WriteClient() {
  OutputBuffer& output = session_.output();
  while (!output.empty() && !client_write_failed_) {
    std::string_view pending = output.pending();
    ipc::IoResult result =
        ipc::WriteSome(client_.get(), pending.data(), pending.size());
    switch (result.status) {
      case ipc::IoStatus::kOk:
        output.Consume(result.bytes);
        break;
      case ipc::IoStatus::kWouldBlock:
        return;
      case ipc::IoStatus::kClosed:
        client_write_failed_ = true;
        session_.OnClientClosed();
        return;
      case ipc::IoStatus::kError:
        client_write_failed_ = true;
        log_.Error(subject_, ErrnoText("send", result.error));
        session_.OnClientError();
        return;
    }
  }
}

void Worker::ReadChannel() {
  // Stops early once the send queue is exceeded: the client is dropped
  // anyway, and the buffer should not grow further first.
  for (int i = 0; i < kFramesPerTurn && !session_.ended() &&
                  session_.output().size() <= options_.send_queue;
       ++i) {
    ipc::FrameView frame;
    switch (channel_.Receive(&frame)) {
      case ipc::ChannelStatus::kOk:
        session_.OnFrame(frame);
        break;
      case ipc::ChannelStatus::kWouldBlock:
        return;
      case ipc::ChannelStatus::kClosed:
        session_.OnBrokerGone();
        return;
      case ipc::ChannelStatus::kError:
        session_.OnInternalError(
            "malformed frame or failed receive from the "
            "broker");
        return;
    }
  }
}

void Worker::ReadClient() {
  char* buffer = ReadBuffer();
  ipc::IoResult result = ipc::ReadSome(client_.get(), buffer, kReadChunk);
  switch (result.status) {
    case ipc::IoStatus::kOk:
      session_.OnInput(std::string_view(buffer, result.bytes));
      return;
    case ipc::IoStatus::kWouldBlock:
      return;
    case ipc::IoStatus::kClosed:
      client_eof_ = true;
      session_.OnClientClosed();
      return;
    case ipc::IoStatus::kError:
      log_.Error(subject_, ErrnoText("read", result.error));
      session_.OnClientError();
      return;
  }
}

void Worker::ReadSignals() {
  signalfd_siginfo info;
  bool any = false;
  while (read(signals_.get(), &info, sizeof info) ==
         static_cast<ssize_t>(sizeof info)) {
    any = true;
  }
  if (any) session_.OnShutdown();
}

void Worker::Finish() {
  const EndReason reason = session_.end_reason();
  const auto deadline = Clock::now() + kFinishTimeout;

  // Frames first (kLeft, a last MESG): the broker drains them even after
  // this process is gone, but only if they were handed over.
  while (channel_.has_queued() && Clock::now() < deadline) {
    ipc::ChannelStatus status = channel_.Flush();
    if (status != ipc::ChannelStatus::kWouldBlock) break;
    pollfd waiter{channel_.fd(), POLLOUT, 0};
    poll(&waiter, 1, MillisecondsUntil(deadline));
  }

  bool client_gone = reason == EndReason::kClosed ||
                     reason == EndReason::kClientError || client_write_failed_;
  if (!client_gone) {
    // A client dropped as slow gets one try (it does not read anyway);
    // everyone else gets their last lines within the deadline.
    bool once = reason == EndReason::kSlow;
    while (!session_.output().empty() && !client_write_failed_) {
      WriteClient();
      if (once || session_.output().empty() || Clock::now() >= deadline) break;
      pollfd waiter{client_.get(), POLLOUT, 0};
      poll(&waiter, 1, MillisecondsUntil(deadline));
    }
    shutdown(client_.get(), SHUT_WR);
    if (!client_eof_) {
      char* buffer = ReadBuffer();
      size_t drained = 0;
      while (drained < kMaxDrainOnClose) {
        ipc::IoResult result = ipc::ReadSome(client_.get(), buffer, kReadChunk);
        if (result.status != ipc::IoStatus::kOk) break;
        drained += result.bytes;
      }
    }
  }
  client_.Reset();
  _exit(ExitStatusOf(reason));
}

}  // namespace

void RunWorker(WorkerSetup setup) {
  Worker worker(std::move(setup));
  worker.Run();
}

}  // namespace chat::server
