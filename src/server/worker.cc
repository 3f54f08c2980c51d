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
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "ipc/io.h"
#include "server/address.h"
#include "server/address_policy.h"
#include "server/keepalive.h"
#include "server/password.h"
#include "server/sandbox.h"
#include "server/session.h"
#include "server/ways_in.h"
#include "transport/plain_stream.h"
#include "transport/stream.h"

namespace chat::server {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kPageSize = 4096;
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
constexpr size_t kIoBufferSize =
    (std::max(kReadChunk, ipc::kReceiveBufferSize) + kPageSize - 1) /
    kPageSize * kPageSize;
alignas(kPageSize) char io_buffer[kIoBufferSize];

// Pushes at least this big are written to the client straight from the
// receive buffer when nothing is waiting before them, rather than appended
// to the output first: a burst (a backlog of announcements the broker packed
// into one frame) then never grows the heap. Smaller ones are appended, so
// the frames of one turn still leave in one write.
constexpr size_t kDirectWriteMin = 1024;

// Where the registry's lock-wait reports go (a plain function pointer, so
// the process's one log and subject).
const Log* report_log = nullptr;
const std::string* report_subject = nullptr;

void ReportLockWait(std::chrono::seconds waited, int holder) {
  if (report_log == nullptr) return;
  report_log->Error(*report_subject,
                    "waited " + std::to_string(waited.count()) +
                        " s for the user table's lock, held by pid " +
                        std::to_string(holder) + " (stopped?)");
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
  // Guarded: a quiet server's worker builds no log text (its heap use would
  // dirty pages of its own).
  if (log_.info()) {
    log_.Info(subject_, "accepted from " + PeerAddressOf(client_.get()) +
                            ListeningSuffix(way_));
  }
  if (!SetUpSignals()) _exit(ExitStatusOf(EndReason::kInternalError));
  if (std::optional<Address16> peer = PeerAddress16(client_.get());
      SubjectToLimits(options_.address_policy, peer)) {
    session_.set_join_limit(
        {BlockKey(*peer),
         MaxUsersPerAddress(options_.address_limits, options_.max_users)});
  }
  report_log = &log_;
  report_subject = &subject_;
  ipc::Registry::SetLockWaitReport(ReportLockWait);
  if (way_ != WayIn::kPlain) {
    const char* what = nullptr;
    other_stream_ = MakeStream(way_, client_.get(), ways_in_, &what);
    if (!other_stream_) {
      log_.Error(subject_, std::string("transport: ") + (what ? what : "?"));
      _exit(ExitStatusOf(EndReason::kInternalError));
    }
    stream_ = other_stream_.get();
  }
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
  if (options_.flood &&
      SubjectToLimits(options_.address_policy, PeerAddress16(client_.get()))) {
    flood_.emplace(options_.flood->burst, options_.flood->per_second,
                   Clock::now());
    file_flood_.emplace(kFileFloodBurstBytes, kFileFloodBytesPerSecond,
                        Clock::now());
    session_.set_flood(&*flood_, &*file_flood_);
  }
  if (std::string error = SetKeepalive(client_.get(), options_.keepalive);
      !error.empty()) {
    log_.Error(subject_, error);
  }
  // Set up: from here on the worker needs only its fds and the shared
  // mappings (sandbox.h).
  if (sandbox_ != nullptr) {
    std::string error;
    if (!sandbox_->Enter(channel_.fd(), &error)) {
      log_.Error(subject_, "sandbox: " + error);
      _exit(ExitStatusOf(EndReason::kInternalError));
    }
  }
  join_deadline_ =
      Clock::now() + std::chrono::seconds(options_.join_timeout_seconds);
  session_.Start();
  while (!session_.ended()) Turn();
  Finish();
}

void Worker::Turn() {
  // A client that closed both ways still has its lines handled (relayed);
  // their answers have nowhere to go.
  if (client_eof_ && client_write_failed_) session_.output().DropAll();
  FlushChannel();
  // Bytes a transport already took were taken when nothing waited for the
  // broker, so they may always go on.
  if (stream_->has_pending_output()) FlushStream();
  if (!channel_.has_queued()) WriteClient();
  // Lines held back by a full output may go on now that some was written;
  // what they produce goes out in the next turn.
  session_.Resume();
  // After the client's end of file: every line it sent has been handled
  // and answered; Finish writes the answers out.
  if (session_.InputDone()) session_.OnClientClosed();
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
  fds[2].events = stream_->Events(read_client, write_client);
  // Nothing more can come or go (poll would report the hang-up each time).
  if (client_eof_ && client_write_failed_) fds[2].fd = -1;
  int timeout = session_.registered() ? -1 : MillisecondsUntil(join_deadline_);
  // Lines held for the flood budget are taken up again once it is back
  // (Resume, at the top of the next turn); the socket is not read meanwhile.
  if (session_.throttled() && flood_) {
    const auto now = Clock::now();
    int wait = MillisecondsUntil(
        now + std::max(flood_->UntilReady(now), file_flood_->UntilReady(now)));
    timeout = timeout < 0 ? wait : std::min(timeout, wait);
  }
  // Input a transport has already taken off the socket wakes no poll.
  const bool buffered = read_client && stream_->has_buffered_input();
  if (buffered) timeout = 0;

  // Pages of io_buffer beyond the first that a big frame or read touched
  // are given back only when the worker is about to sleep: while work is
  // waiting, the zero-timeout poll's answer is used as is and the pages are
  // reused, so a busy worker pays nothing; an idle one holds one page.
  int ready = buffer_touched_ > kPageSize || buffered ? poll(fds, 3, 0) : 0;
  if (ready == 0) {
    ReleaseBufferPages();
    ready = poll(fds, 3, timeout);
  }
  if (ready < 0) {
    if (errno == EINTR) return;
    session_.OnInternalError(ErrnoText("poll", errno));
    return;
  }
  if (fds[0].revents) ReadSignals();
  if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) ReadChannel();
  if (fds[2].revents && !stream_->established() && !session_.ended()) {
    OpenStream();
  }
  if (session_.ended()) {
    // The transport ended it (a web request answered, a failed handshake).
  } else if (read_client &&
             (buffered || (fds[2].revents & (POLLIN | POLLHUP | POLLERR)))) {
    ReadClient();
  } else if (fds[2].revents & (POLLHUP | POLLERR)) {
    // Reset (or fully shut) while input is paused: poll() would report it
    // again at once, and the client can receive nothing more anyway. After
    // its end of file, the lines it sent are still handled.
    client_write_failed_ = true;
    if (!client_eof_) session_.OnClientClosed();
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

void Worker::ReleaseBufferPages() {
  if (buffer_touched_ <= kPageSize) return;
  // The kernel maps fresh zero pages on the next touch.
  size_t end = (buffer_touched_ + kPageSize - 1) / kPageSize * kPageSize;
  (void)madvise(io_buffer + kPageSize, end - kPageSize, MADV_DONTNEED);
  buffer_touched_ = 0;
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

bool Worker::FlushStream() {
  transport::Result result = stream_->Flush();
  if (result.status != transport::Status::kOk &&
      result.status != transport::Status::kWouldBlock) {
    OnSendFailed(result);
    return false;
  }
  return !stream_->has_pending_output();
}

void Worker::OpenStream() {
  transport::Result result = stream_->Open();
  if (result.status == transport::Status::kOk ||
      result.status == transport::Status::kWouldBlock) {
    return;
  }
  client_write_failed_ = true;
  OnStreamEnd(result, stream_->name());
}

void Worker::OnStreamEnd(const transport::Result& result, const char* doing) {
  if (result.status == transport::Status::kClosed) {
    if (result.what != nullptr && log_.info()) {
      log_.Info(subject_, std::string(doing) + ": " + result.what);
    }
    session_.OnClientClosed();
    return;
  }
  if (result.what != nullptr) {
    log_.Error(subject_, std::string(doing) + ": " + result.what);
  } else {
    log_.Error(subject_, ErrnoText(doing, result.error));
  }
  session_.OnClientError();
}

void Worker::WriteClient() {
  if (stream_->has_pending_output() && !FlushStream()) return;
  OutputBuffer& output = session_.output();
  session_.FeedFiles();
  while (!output.empty() && !client_write_failed_) {
    size_t written = SendToClient(output.pending());
    if (written == 0) return;
    output.Consume(written);
    // The next chunk of an incoming file, only now that the output is
    // (nearly) empty: chat lines never wait behind more than one.
    session_.FeedFiles();
  }
}

size_t Worker::SendToClient(std::string_view bytes) {
  transport::Result result = stream_->Write(bytes);
  switch (result.status) {
    case transport::Status::kOk:
      return result.bytes;
    case transport::Status::kWouldBlock:
      return 0;
    case transport::Status::kClosed:
    case transport::Status::kError:
      OnSendFailed(result);
      return 0;
  }
  return 0;
}

void Worker::OnSendFailed(const transport::Result& result) {
  client_write_failed_ = true;
  // The client closed both ways after sending: its remaining lines are
  // still handled, their answers dropped (Turn).
  if (client_eof_) return;
  OnStreamEnd(result, "send");
}

void Worker::Deliver(const ipc::FrameView& frame) {
  ipc::FrameView rest = frame;
  // The same rule as every write to the client (see the top): not while
  // frames wait for the broker; and nothing may overtake what waits in the
  // output, which is written first.
  if (rest.payload.size() >= kDirectWriteMin && !session_.ended() &&
      !session_.holding_pushes() && !channel_.has_queued() &&
      !client_write_failed_) {
    WriteClient();
    OutputBuffer& output = session_.output();
    while (output.empty() && !rest.payload.empty() && !client_write_failed_) {
      size_t written = SendToClient(rest.payload);
      if (written == 0) break;
      output.WrittenPast(rest.payload.substr(0, written));
      rest.payload.remove_prefix(written);
    }
    if (rest.payload.empty() || client_write_failed_) return;
  }
  // What the socket did not take waits in the output, after the rest.
  session_.OnFrame(rest);
}

void Worker::ReadChannel() {
  // Stops early once the send queue is exceeded: the client is dropped
  // anyway, and the buffer should not grow further first.
  for (int i = 0; i < kFramesPerTurn && !session_.ended() &&
                  session_.output().size() <= options_.send_queue;
       ++i) {
    ipc::FrameView frame;
    switch (channel_.Receive(&frame, io_buffer)) {
      case ipc::ChannelStatus::kOk:
        buffer_touched_ = std::max(
            buffer_touched_, ipc::kFrameHeaderSize + frame.payload.size());
        if (frame.kind == ipc::FrameKind::kDeliver) {
          Deliver(frame);
        } else {
          session_.OnFrame(frame);
        }
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
  transport::Result result = stream_->Read(io_buffer, kReadChunk);
  switch (result.status) {
    case transport::Status::kOk:
      buffer_touched_ = std::max(buffer_touched_, result.bytes);
      session_.OnInput(std::string_view(io_buffer, result.bytes));
      // A password's bytes are wiped here as well as where the session kept
      // them (the kernel's, GnuTLS's and wslay's buffers are out of reach).
      if (session_.TakeSecretSeen()) Wipe(io_buffer, result.bytes);
      return;
    case transport::Status::kWouldBlock:
      return;
    case transport::Status::kClosed:
      if (result.what == nullptr) {
        // End of file: the lines already read are handled and answered
        // before the session ends (Turn), as a client that half-closes
        // after a batch of requests expects.
        client_eof_ = true;
        session_.OnClientEof();
        return;
      }
      OnStreamEnd(result, stream_->name());
      return;
    case transport::Status::kError:
      OnStreamEnd(result, "read");
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

  // A transport still opening (a TLS handshake, an HTTP request head) has
  // nowhere to put lines.
  // After only an end of file the client may still read its answers.
  bool client_gone = (reason == EndReason::kClosed && !client_eof_) ||
                     reason == EndReason::kClientError ||
                     client_write_failed_ || !stream_->established();
  if (!client_gone) {
    // A client dropped as slow gets one try (it does not read anyway);
    // everyone else gets their last lines within the deadline.
    bool once = reason == EndReason::kSlow;
    while ((!session_.output().empty() || stream_->has_pending_output()) &&
           !client_write_failed_) {
      WriteClient();
      if (once ||
          (session_.output().empty() && !stream_->has_pending_output()) ||
          Clock::now() >= deadline) {
        break;
      }
      pollfd waiter{client_.get(), stream_->Events(false, true), 0};
      poll(&waiter, 1, MillisecondsUntil(deadline));
    }
    if (!client_write_failed_) {
      stream_->Close(
          reason == EndReason::kShutdown ? transport::CloseReason::kGoingAway
          : reason == EndReason::kSlow   ? transport::CloseReason::kPolicy
                                         : transport::CloseReason::kNormal);
    }
    shutdown(client_.get(), SHUT_WR);
    if (!client_eof_) {
      size_t drained = 0;
      while (drained < kMaxDrainOnClose) {
        ipc::IoResult result =
            ipc::ReadSome(client_.get(), io_buffer, kReadChunk);
        if (result.status != ipc::IoStatus::kOk) break;
        drained += result.bytes;
      }
    }
  }
  other_stream_.reset();
  client_.Reset();
  _exit(ExitStatusOf(reason));
}

}  // namespace

void RunWorker(WorkerSetup setup) {
  Worker worker(std::move(setup));
  worker.Run();
}

}  // namespace chat::server
