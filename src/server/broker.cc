// Broker: accept -> socketpair -> fork; frames in, frames out; SIGCHLD ->
// drain, clear, announce, free; SIGTERM -> BYE to all, wait, exit.
#include "server/broker.h"

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "protocol/reply.h"
#include "server/address.h"
#include "server/end_reason.h"
#include "server/spawn.h"

namespace chat::server {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxEvents = 64;
// Connections taken per wake-up of a listener, and frames per wake-up of a
// channel: enough to batch, few enough that one busy peer cannot starve
// the others.
constexpr int kAcceptsPerTurn = 64;
constexpr int kFramesPerTurn = 64;
// After a failed fork or accept for lack of resources, the listeners rest
// this long instead of failing again at once in a busy loop.
constexpr milliseconds kAcceptBackoff{100};
// Shutdown: how long workers get to say BYE and exit, then how long SIGKILLed
// ones get to disappear.
constexpr milliseconds kShutdownGrace{3000};
constexpr milliseconds kKillGrace{2000};
// What a worker may have queued in the broker beyond its own send queue
// before it counts as hung (see Relay).
constexpr size_t kHungSlack = 1 << 20;

constexpr uint64_t kTagShift = 60;
constexpr uint64_t kGenerationMask = (uint64_t{1} << 28) - 1;

int MillisecondsUntil(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count() + 1));
}

std::string SignalName(int signal) {
  const char* name = sigabbrev_np(signal);
  return name ? "SIG" + std::string(name) : "signal " + std::to_string(signal);
}

}  // namespace

Broker::Broker(const Options& options, const Log& log, ipc::Registry& registry,
               std::vector<Listener> listeners)
    : options_(options),
      log_(log),
      registry_(registry),
      listeners_(std::move(listeners)),
      table_(options.max_connections),
      relay_(table_, registry, log, options.send_queue + kHungSlack) {}

bool Broker::Init(std::string* error) {
  epoll_.Reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_) {
    *error = ErrnoText("epoll_create1", errno);
    return false;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGCHLD);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  signals_.Reset(signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals_) {
    *error = ErrnoText("signalfd", errno);
    return false;
  }
  if (!Watch(signals_.get(), EPOLLIN, Tag::kSignals, 0)) {
    *error = ErrnoText("epoll_ctl", errno);
    return false;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (!Watch(listeners_[i].fd.get(), EPOLLIN, Tag::kListener,
               static_cast<uint32_t>(i))) {
      *error = ErrnoText("epoll_ctl", errno);
      return false;
    }
  }
  return true;
}

bool Broker::Watch(int fd, uint32_t events, Tag tag, uint32_t index,
                   uint32_t generation, int op) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = (static_cast<uint64_t>(tag) << kTagShift) |
                   ((generation & kGenerationMask) << 32) | index;
  return epoll_ctl(epoll_.get(), op, fd, &event) == 0;
}

int Broker::Run() {
  epoll_event events[kMaxEvents];
  for (;;) {
    if (shutting_down_ && table_.live() == 0) break;
    int ready = epoll_wait(epoll_.get(), events, kMaxEvents, TimeoutMs());
    if (ready < 0) {
      if (errno == EINTR) continue;
      log_.Error(kServerSubject, ErrnoText("epoll_wait", errno));
      KillAll();
      return kExitFailure;
    }
    for (int i = 0; i < ready; ++i) Dispatch(events[i]);
    if (auto status = HandleTimers()) return *status;
    FlushDirty();
  }
  log_.Info(kServerSubject, "shutdown complete");
  return kExitOk;
}

void Broker::Dispatch(const epoll_event& event) {
  auto tag = static_cast<Tag>(event.data.u64 >> kTagShift);
  auto index = static_cast<uint32_t>(event.data.u64 & 0xFFFFFFFF);
  auto generation =
      static_cast<uint32_t>((event.data.u64 >> 32) & kGenerationMask);
  switch (tag) {
    case Tag::kListener:
      AcceptFrom(index);
      return;
    case Tag::kSignals:
      HandleSignals();
      return;
    case Tag::kWorker: {
      WorkerEntry& entry = table_.at(index);
      // An event reported for a worker reaped earlier in this same batch.
      if (!entry.in_use ||
          (entry.id.generation & kGenerationMask) != generation) {
        return;
      }
      if (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ReadChannel(index, kFramesPerTurn);
      }
      if (event.events & EPOLLOUT) relay_.MarkDirty(index);
      return;
    }
  }
}

// --- Accepting ------------------------------------------------------------

void Broker::AcceptFrom(size_t listener) {
  if (shutting_down_ || listener >= listeners_.size() ||
      !listeners_[listener].fd) {
    return;
  }
  for (int i = 0; i < kAcceptsPerTurn && !resume_accepting_at_; ++i) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int fd = accept4(listeners_[listener].fd.get(),
                     reinterpret_cast<sockaddr*>(&peer), &length,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
          return;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:  // a firewall rule refused it
          continue;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
          log_.Error(kServerSubject, ErrnoText("accept", errno));
          PauseAccepting();
          return;
        default:
          log_.Error(kServerSubject, ErrnoText("accept", errno));
          return;
      }
    }
    StartWorker(ipc::UniqueFd(fd),
                FormatAddress(reinterpret_cast<sockaddr*>(&peer), length));
  }
}

void Broker::StartWorker(ipc::UniqueFd client, const std::string& peer) {
  std::optional<uint32_t> index = table_.Allocate();
  if (!index) {
    Refuse(std::move(client), peer, {});
    return;
  }
  std::string error;
  auto channels = ipc::Channel::CreatePair(&error);
  if (!channels) {
    log_.Error(kServerSubject, error);
    table_.Free(*index);
    Refuse(std::move(client), peer, "cannot start a session now");
    PauseAccepting();
    return;
  }
  WorkerEntry& entry = table_.at(*index);
  WorkerSetup setup{std::move(client), std::move(channels->second),
                    entry.id,          &registry_,
                    &options_,         &log_};
  int fork_error = 0;
  std::optional<pid_t> pid = SpawnWorker(setup, &fork_error);
  if (!pid) {
    log_.Error(kServerSubject, ErrnoText("fork", fork_error));
    table_.Free(*index);
    Refuse(std::move(setup.client), peer, "cannot start a session now");
    PauseAccepting();
    return;
  }
  entry.subject = ClientSubject(setup.client.get(), *pid);
  table_.SetPid(*index, *pid);
  entry.channel.emplace(std::move(channels->first));
  entry.channel_readable = true;
  entry.channel_writable = true;
  if (!Watch(entry.channel->fd(), EPOLLIN, Tag::kWorker, *index,
             entry.id.generation)) {
    entry.channel_readable = false;
    entry.channel_writable = false;
    relay_.Kill(*index, ErrnoText("epoll_ctl", errno));
  }
  // `setup` goes here: the broker's copies of the client socket and of the
  // worker's channel end are closed; only the worker holds them now.
}

void Broker::Refuse(ipc::UniqueFd client, const std::string& peer,
                    std::string_view detail) {
  std::string line =
      protocol::FormatError(protocol::ErrorCode::kTooManyConnections, detail);
  // Best effort: a fresh socket has room for one line, and if not, the
  // client learns from the close.
  (void)send(client.get(), line.data(), line.size(),
             MSG_NOSIGNAL | MSG_DONTWAIT);
  log_.Info("fd " + std::to_string(client.get()),
            "refused from " + peer + ": Too Many Connections" +
                (detail.empty() ? "" : ": " + std::string(detail)));
  shutdown(client.get(), SHUT_WR);
}

void Broker::PauseAccepting() {
  if (resume_accepting_at_) return;
  resume_accepting_at_ = Clock::now() + kAcceptBackoff;
  WatchListeners(0);
}

void Broker::ResumeAccepting() {
  resume_accepting_at_.reset();
  WatchListeners(EPOLLIN);
}

void Broker::WatchListeners(uint32_t events) {
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (listeners_[i].fd &&
        !Watch(listeners_[i].fd.get(), events, Tag::kListener,
               static_cast<uint32_t>(i), 0, EPOLL_CTL_MOD)) {
      log_.Error(kServerSubject, ErrnoText("epoll_ctl MOD listener", errno));
    }
  }
}

// --- Channels -------------------------------------------------------------

bool Broker::ReadChannel(uint32_t index, int max_frames) {
  WorkerEntry& entry = table_.at(index);
  for (int i = 0; i < max_frames; ++i) {
    if (!entry.channel_readable) return false;
    ipc::FrameView frame;
    switch (entry.channel->Receive(&frame)) {
      case ipc::ChannelStatus::kOk:
        relay_.OnFrame(index, frame);
        break;
      case ipc::ChannelStatus::kWouldBlock:
        return false;
      case ipc::ChannelStatus::kClosed:
        // Every frame the worker sent has been read; the reap follows.
        StopReading(index);
        return false;
      case ipc::ChannelStatus::kError:
        StopReading(index);
        relay_.Kill(index, "malformed frame or failed receive on its channel");
        return false;
    }
  }
  return entry.channel_readable;
}

void Broker::StopReading(uint32_t index) {
  WorkerEntry& entry = table_.at(index);
  if (!entry.channel_readable) return;
  entry.channel_readable = false;
  entry.channel_writable = false;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, entry.channel->fd(), nullptr) !=
      0) {
    log_.Error(entry.subject, ErrnoText("epoll_ctl DEL", errno));
  }
}

void Broker::FlushDirty() {
  relay_.TakeDirty(&flushing_);
  for (uint32_t index : flushing_) {
    WorkerEntry& entry = table_.at(index);
    if (!entry.in_use || !entry.dirty) continue;  // freed, or listed twice
    entry.dirty = false;
    if (!entry.channel || !entry.channel_writable) continue;
    bool want_write = false;
    switch (entry.channel->Flush()) {
      case ipc::ChannelStatus::kOk:
        break;
      case ipc::ChannelStatus::kWouldBlock:
        want_write = true;
        break;
      case ipc::ChannelStatus::kClosed:
      case ipc::ChannelStatus::kError:
        // The worker is gone or going; its reap cleans up.
        entry.channel_writable = false;
        break;
    }
    // EPOLLOUT stays armed only while frames wait, or the loop would spin.
    if (want_write != entry.want_write && entry.channel_readable) {
      entry.want_write = want_write;
      if (!Watch(entry.channel->fd(), EPOLLIN | (want_write ? EPOLLOUT : 0u),
                 Tag::kWorker, index, entry.id.generation, EPOLL_CTL_MOD)) {
        log_.Error(entry.subject, ErrnoText("epoll_ctl MOD", errno));
      }
    }
  }
}

// --- Children ---------------------------------------------------------------

void Broker::HandleSignals() {
  signalfd_siginfo info;
  for (;;) {
    ssize_t n = read(signals_.get(), &info, sizeof info);
    if (n != static_cast<ssize_t>(sizeof info)) break;
    if (info.ssi_signo == SIGCHLD) {
      ReapChildren();
    } else {
      BeginShutdown(static_cast<int>(info.ssi_signo));
    }
  }
  // Several SIGCHLD may have merged into one, or come before the signalfd
  // was read: reaping is by waitpid(), not by counting signals.
  ReapChildren();
}

void Broker::ReapChildren() {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      if (pid < 0 && errno == EINTR) continue;
      return;
    }
    Reap(pid, status);
  }
}

void Broker::Reap(pid_t pid, int wait_status) {
  std::optional<uint32_t> index = table_.IndexOfPid(pid);
  if (!index) {
    log_.Error(kServerSubject, "reaped unknown child pid " +
                                   std::to_string(pid) + ": " +
                                   DescribeWaitStatus(wait_status));
    return;
  }
  WorkerEntry& entry = table_.at(*index);
  // What the worker queued before it died still counts: an accepted MESG,
  // its JOINED, its LEFT. Its end is closed, so this ends at end of file.
  while (ReadChannel(*index, kFramesPerTurn)) {
  }
  StopReading(*index);

  std::string why;
  if (WIFSIGNALED(wait_status) && entry.killed) {
    why = "killed: " + entry.killed_because;
  } else if (WIFSIGNALED(wait_status)) {
    why = "crashed with signal " + std::to_string(WTERMSIG(wait_status));
  } else {
    EndReason reason = EndReasonOfExitStatus(WEXITSTATUS(wait_status));
    why = reason == EndReason::kNone
              ? "exited with status " + std::to_string(WEXITSTATUS(wait_status))
              : std::string(Describe(reason));
  }
  relay_.OnWorkerGone(*index, why);

  std::string event = "reaped: " + DescribeWaitStatus(wait_status);
  bool normal =
      WIFEXITED(wait_status) &&
      EndReasonOfExitStatus(WEXITSTATUS(wait_status)) != EndReason::kNone &&
      EndReasonOfExitStatus(WEXITSTATUS(wait_status)) !=
          EndReason::kInternalError;
  if (normal || entry.killed) {
    log_.Info(entry.subject, event);
  } else {
    log_.Error(entry.subject, event);
  }
  table_.Free(*index);
}

// --- Shutdown ---------------------------------------------------------------

void Broker::BeginShutdown(int signal) {
  if (shutting_down_) {
    log_.Info(kServerSubject,
              "second " + SignalName(signal) + ": killing every worker now");
    KillAll();
    return;
  }
  shutting_down_ = true;
  shutdown_deadline_ = Clock::now() + kShutdownGrace;
  log_.Info(kServerSubject, "shutting down (" + SignalName(signal) + ")");
  // Closing a listener also takes it out of the epoll set.
  for (auto& listener : listeners_) listener.fd.Reset();
  relay_.ShutdownAll(protocol::kByeShutdown);
}

void Broker::KillAll() {
  if (killed_all_) return;
  killed_all_ = true;
  kill_deadline_ = Clock::now() + kKillGrace;
  for (uint32_t index = 0; index < table_.capacity(); ++index) {
    if (table_.at(index).in_use) relay_.Kill(index, "still running");
  }
}

int Broker::TimeoutMs() const {
  int timeout = -1;
  auto consider = [&timeout](Clock::time_point when) {
    int ms = MillisecondsUntil(when);
    if (timeout < 0 || ms < timeout) timeout = ms;
  };
  if (resume_accepting_at_) consider(*resume_accepting_at_);
  if (shutting_down_)
    consider(killed_all_ ? kill_deadline_ : shutdown_deadline_);
  return timeout;
}

std::optional<int> Broker::HandleTimers() {
  auto now = Clock::now();
  if (resume_accepting_at_ && now >= *resume_accepting_at_) ResumeAccepting();
  if (!shutting_down_) return std::nullopt;
  if (!killed_all_ && now >= shutdown_deadline_) {
    log_.Error(kServerSubject,
               std::to_string(table_.live()) +
                   " workers still running after the shutdown grace period");
    KillAll();
  } else if (killed_all_ && now >= kill_deadline_ && table_.live() > 0) {
    log_.Error(kServerSubject, std::to_string(table_.live()) +
                                   " workers did not exit after SIGKILL");
    return kExitFailure;
  }
  return std::nullopt;
}

}  // namespace chat::server
