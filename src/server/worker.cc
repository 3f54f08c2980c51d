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
#include "server/worker_process.h"
#include "transport/plain_stream.h"
#include "transport/stream.h"

namespace chat::server {
namespace worker_internal {

alignas(kPageSize) char io_buffer[kIoBufferSize];

namespace {

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

}  // namespace

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

}  // namespace worker_internal

void RunWorker(WorkerSetup setup) {
  worker_internal::Worker worker(std::move(setup));
  worker.Run();
}

}  // namespace chat::server
