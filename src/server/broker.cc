// Broker: accept -> socketpair -> request to the spawner -> its pid; frames
// in, frames out; SIGCHLD -> drain, clear, announce, free; SIGTERM -> BYE to
// all, wait, exit.
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
#include "server/sandbox.h"

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
// Held JOINED/LEFT wait after a pass as long as it took (relay.h), at least
// this long...
constexpr milliseconds kMinCoalesceWindow{5};
// ...and at most this long, however long a pass to every user takes.
constexpr milliseconds kMaxCoalesceWindow{500};
// After the spawner could not be restarted, the next try comes this late.
constexpr milliseconds kSpawnerRestartBackoff{1000};
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
               std::vector<Listener> listeners, Spawner spawner,
               const SpawnContext& context)
    : options_(options),
      log_(log),
      registry_(registry),
      listeners_(std::move(listeners)),
      table_(options.max_connections),
      relay_(table_, registry, log, options.send_queue + kHungSlack,
             kMinCoalesceWindow, kMaxCoalesceWindow, options.max_rooms),
      moves_(table_, relay_),
      spawn_context_(context),
      spawner_(std::move(spawner)) {
  if (!options.ephemeral) {
    store_.emplace(options, log, registry, table_, relay_);
    relay_.SetHistorySink(
        [](void* link, std::string_view lines, std::string_view to) {
          static_cast<StoreLink*>(link)->Record(lines, to);
        },
        &*store_);
    relay_.SetStoreSink(
        [](void* link, std::string_view request) {
          static_cast<StoreLink*>(link)->Tell(request);
        },
        &*store_);
  }
}

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
  if (!Watch(spawner_->fd(), EPOLLIN, Tag::kSpawner, 0)) {
    *error = ErrnoText("epoll_ctl", errno);
    return false;
  }
  spawner_watched_ = true;
  // Now, while the broker is small (it forks the store).
  if (store_) {
    if (!store_->Start(error) || !store_->WaitReady(error)) {
      *error = "store: " + *error;
      return false;
    }
    store_->TakeReplaced();
    WatchStore();
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
    if (shutting_down_ && table_.live() == 0) {
      StopSpawner();
      if (store_) store_->Stop();
      break;
    }
    int ready = epoll_wait(epoll_.get(), events, kMaxEvents, TimeoutMs());
    if (ready < 0) {
      if (errno == EINTR) continue;
      log_.Error(kServerSubject, ErrnoText("epoll_wait", errno));
      KillAll();
      StopSpawner();
      if (store_) store_->Stop();
      return kExitFailure;
    }
    for (int i = 0; i < ready; ++i) Dispatch(events[i]);
    if (auto status = HandleTimers()) {
      StopSpawner();
      if (store_) store_->Stop();
      return *status;
    }
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
    case Tag::kSpawner:
      if (event.events & EPOLLOUT) SendHeld();
      if (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ReadSpawner();
      return;
    case Tag::kStore:
      if (store_ && (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        store_->OnReadable();
      }
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
      if ((event.events & EPOLLOUT) && entry.in_use) relay_.MarkDirty(index);
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
  for (int i = 0; i < kAcceptsPerTurn && !resume_accepting_at_ && !held_; ++i) {
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
                FormatAddress(reinterpret_cast<sockaddr*>(&peer), length),
                listeners_[listener].way);
  }
}

void Broker::StartWorker(ipc::UniqueFd client, const std::string& peer,
                         WayIn way) {
  if (!spawner_) {
    Refuse(std::move(client), peer, "cannot start a session now");
    return;
  }
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
  ++pending_spawns_;
  entry.spawn_pending = true;
  // Named in the log by the broker's end of its channel: open as long as
  // the connection is, so no two open connections share the number (the
  // accepted socket itself is closed here once the spawner has it, and its
  // number reused at once).
  entry.client_number = channels->first.fd();
  entry.session = ++next_session_;
  entry.peer = peer;
  entry.subject = "fd " + std::to_string(entry.client_number);
  entry.channel.emplace(std::move(channels->first));
  entry.channel_readable = true;
  entry.channel_writable = true;
  if (!Watch(entry.channel->fd(), EPOLLIN, Tag::kWorker, *index,
             entry.id.generation)) {
    entry.channel_readable = false;
    entry.channel_writable = false;
    relay_.Kill(*index, ErrnoText("epoll_ctl", errno));
  }
  SendStart(
      Start{*index, std::move(client), std::move(channels->second), peer, way});
}

void Broker::SendStart(Start start) {
  WorkerEntry& entry = table_.at(start.index);
  int error = 0;
  if (spawner_ &&
      spawner_->Request(entry.id, start.client.get(), start.worker_end.fd(),
                        entry.client_number, &error, start.way)) {
    // The spawner holds its own copies now; the broker's copies of the
    // client socket and of the worker's channel end close here.
    return;
  }
  if (spawner_ && (error == EAGAIN || error == EWOULDBLOCK)) {
    // New connections wait in the listen backlog meanwhile.
    held_.emplace(std::move(start));
    WatchListeners(0);
    if (!Watch(spawner_->fd(), EPOLLIN | EPOLLOUT, Tag::kSpawner, 0, 0,
               EPOLL_CTL_MOD)) {
      log_.Error(kServerSubject, ErrnoText("epoll_ctl MOD spawner", errno));
    }
    return;
  }
  if (spawner_) {
    log_.Error(kServerSubject, ErrnoText("request to the spawner", error));
  }
  --pending_spawns_;
  StopReading(start.index);
  table_.Free(start.index);
  Refuse(std::move(start.client), start.peer, "cannot start a session now");
  PauseAccepting();
}

void Broker::SendHeld() {
  if (!held_) return;
  Start start = std::move(*held_);
  held_.reset();
  SendStart(std::move(start));
  if (held_ || !spawner_) return;
  if (!Watch(spawner_->fd(), EPOLLIN, Tag::kSpawner, 0, 0, EPOLL_CTL_MOD)) {
    log_.Error(kServerSubject, ErrnoText("epoll_ctl MOD spawner", errno));
  }
  if (!resume_accepting_at_ && !shutting_down_) WatchListeners(EPOLLIN);
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
  if (held_) return;  // SendHeld resumes
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
        if (!OnOtherFrame(index, frame)) relay_.OnFrame(index, frame);
        if (frame.kind == ipc::FrameKind::kLeft) moves_.Left(index);
        break;
      case ipc::ChannelStatus::kWouldBlock:
        return false;
      case ipc::ChannelStatus::kClosed:
        // Every frame the worker sent has been read; the reap follows.
        StopReading(index);
        if (entry.orphaned) FinishOrphan(index);
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
  const auto start = Clock::now();
  const bool pass = relay_.TakeDirty(start, &flushing_);
  for (uint32_t index : flushing_) {
    WorkerEntry& entry = table_.at(index);
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
  if (pass) relay_.PassDone(start, Clock::now());
  if (store_) {
    if (store_->TakeReplaced()) WatchStore();
    bool want_write = store_->Flush();
    if (want_write != store_want_write_ && store_watched_) {
      store_want_write_ = want_write;
      Watch(store_->fd(), EPOLLIN | (want_write ? EPOLLOUT : 0u), Tag::kStore,
            0, 0, EPOLL_CTL_MOD);
    }
  }
}

bool Broker::OnOtherFrame(uint32_t index, const ipc::FrameView& frame) {
  switch (frame.kind) {
    case ipc::FrameKind::kStoreRequest:
      if (store_) {
        store_->FromWorker(index, frame);
      } else {
        relay_.SendNow(index, ipc::FrameKind::kStoreGone, {});
      }
      return true;
    case ipc::FrameKind::kMoveLogin:
      moves_.Request(index, frame.target);
      return true;
    case ipc::FrameKind::kAccount:
      table_.at(index).account = frame.count != 0;
      return true;
    case ipc::FrameKind::kForbiddenCall:
      log_.Error(table_.at(index).subject,
                 "sandbox: forbidden system call " +
                     SystemCallName(static_cast<int>(frame.count)));
      return true;
    default:
      return false;
  }
}

void Broker::WatchStore() {
  // A restarted store has a new channel; the old one left the epoll set
  // when it was closed.
  store_watched_ =
      store_->fd() >= 0 && Watch(store_->fd(), EPOLLIN, Tag::kStore, 0);
  store_want_write_ = false;
  if (store_->fd() >= 0 && !store_watched_) {
    log_.Error(kServerSubject, ErrnoText("epoll_ctl store", errno));
  }
}

// --- Children ---------------------------------------------------------------

void Broker::ReadSpawner() {
  while (spawner_) {
    SpawnReply reply;
    switch (spawner_->Receive(&reply)) {
      case SpawnerStatus::kOk:
        OnSpawnReply(reply);
        continue;
      case SpawnerStatus::kWouldBlock:
        return;
      case SpawnerStatus::kClosed:
      case SpawnerStatus::kError:
        // The spawner is gone or going; its reap does the rest.
        if (spawner_watched_ && epoll_ctl(epoll_.get(), EPOLL_CTL_DEL,
                                          spawner_->fd(), nullptr) != 0) {
          log_.Error(kServerSubject, ErrnoText("epoll_ctl DEL", errno));
        }
        spawner_watched_ = false;
        return;
    }
  }
}

void Broker::OnSpawnReply(const SpawnReply& reply) {
  WorkerEntry* entry = table_.Find(reply.id);
  if (!entry || !entry->spawn_pending) {
    log_.Error(kServerSubject, "the spawner answered for connection " +
                                   std::to_string(reply.id.connection) +
                                   ", which awaits no worker");
    return;
  }
  uint32_t index = reply.id.connection;
  entry->spawn_pending = false;
  --pending_spawns_;
  if (reply.pid <= 0) {
    // The spawner has answered the client and closed its socket.
    log_.Error(kServerSubject, ErrnoText("clone", reply.error));
    log_.Info(entry->subject,
              "refused: Too Many Connections: cannot start a session now");
    StopReading(index);
    table_.Free(index);
    PauseAccepting();
  } else {
    table_.SetPid(index, reply.pid);
    entry->subject = ClientSubject(entry->client_number, reply.pid);
    if (store_) store_->SessionOpen(*entry);
    // Found hung before its pid was known.
    if (entry->killed) kill(reply.pid, SIGKILL);
    auto early = reaped_early_.find(reply.pid);
    if (early != reaped_early_.end()) {
      int status = early->second;
      reaped_early_.erase(early);
      Reap(reply.pid, status);
    }
  }
  if (pending_spawns_ == 0) {
    for (const auto& [pid, status] : reaped_early_) {
      log_.Error(kServerSubject, "reaped unknown child pid " +
                                     std::to_string(pid) + ": " +
                                     DescribeWaitStatus(status));
    }
    reaped_early_.clear();
  }
}

void Broker::SpawnerGone(int wait_status) {
  std::string what = "spawner pid " + std::to_string(spawner_->pid()) +
                     " ended: " + DescribeWaitStatus(wait_status);
  if (shutting_down_) {
    log_.Info(kServerSubject, what);
  } else {
    log_.Error(kServerSubject, what);
  }
  ReadSpawner();  // the replies it sent before it died
  if (spawner_ && spawner_watched_) {
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, spawner_->fd(), nullptr);
  }
  spawner_watched_ = false;
  spawner_.reset();
  if (held_) {
    // Never sent: refused like any connection while there is no spawner.
    SendHeld();
    if (!resume_accepting_at_ && !shutting_down_) WatchListeners(EPOLLIN);
  }
  // Requests it never answered: the worker may or may not exist. Its channel
  // tells: it closes when the worker ends, or at once if there is none.
  for (uint32_t index = 0; index < table_.capacity(); ++index) {
    WorkerEntry& entry = table_.at(index);
    if (!entry.in_use || !entry.spawn_pending) continue;
    entry.spawn_pending = false;
    entry.orphaned = true;
    --pending_spawns_;
    if (!entry.channel_readable) FinishOrphan(index);
  }
  reaped_early_.clear();
  if (!shutting_down_) RestartSpawner();
}

void Broker::RestartSpawner() {
  restart_spawner_at_.reset();
  std::string error;
  std::optional<Spawner> spawner = Spawner::Start(spawn_context_, &error);
  if (!spawner) {
    log_.Error(kServerSubject, "cannot restart the spawner: " + error);
    restart_spawner_at_ = Clock::now() + kSpawnerRestartBackoff;
    return;
  }
  spawner_ = std::move(spawner);
  spawner_watched_ = Watch(spawner_->fd(), EPOLLIN, Tag::kSpawner, 0);
  if (!spawner_watched_) {
    log_.Error(kServerSubject, ErrnoText("epoll_ctl", errno));
  }
  log_.Info(kServerSubject,
            "spawner started, pid " + std::to_string(spawner_->pid()));
}

void Broker::StopSpawner() {
  if (!spawner_) return;
  pid_t pid = spawner_->pid();
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  spawner_.reset();
  log_.Info(kServerSubject, "spawner stopped");
}

void Broker::FinishOrphan(uint32_t index) {
  WorkerEntry& entry = table_.at(index);
  entry.orphaned = false;
  relay_.OnWorkerGone(index, "its spawner died before naming its pid");
  log_.Error(entry.subject, "ended without a known pid");
  table_.Free(index);
}

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
  // A worker may end before the spawner's reply naming it has been read:
  // take the replies first, so that most reaps find their pid.
  ReadSpawner();
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
  if (spawner_ && pid == spawner_->pid()) {
    SpawnerGone(wait_status);
    return;
  }
  if (store_ && store_->OnReaped(pid, wait_status, shutting_down_)) return;
  std::optional<uint32_t> index = table_.IndexOfPid(pid);
  if (!index && pending_spawns_ > 0) {
    // Its pid is in a reply not sent or not read yet.
    reaped_early_.emplace(pid, wait_status);
    return;
  }
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
  moves_.Left(*index);
  if (store_) store_->SessionEnd(entry, why);

  std::string event = "reaped: " + DescribeWaitStatus(wait_status);
  bool normal =
      WIFEXITED(wait_status) &&
      EndReasonOfExitStatus(WEXITSTATUS(wait_status)) != EndReason::kNone &&
      EndReasonOfExitStatus(WEXITSTATUS(wait_status)) !=
          EndReason::kInternalError &&
      EndReasonOfExitStatus(WEXITSTATUS(wait_status)) !=
          EndReason::kForbiddenCall;
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
  if (auto due = relay_.held_due()) consider(*due);
  if (restart_spawner_at_ && !shutting_down_) consider(*restart_spawner_at_);
  if (store_ && store_->restart_due() && !shutting_down_) {
    consider(*store_->restart_due());
  }
  if (shutting_down_)
    consider(killed_all_ ? kill_deadline_ : shutdown_deadline_);
  return timeout;
}

std::optional<int> Broker::HandleTimers() {
  auto now = Clock::now();
  if (resume_accepting_at_ && now >= *resume_accepting_at_) ResumeAccepting();
  if (restart_spawner_at_ && now >= *restart_spawner_at_ && !shutting_down_) {
    RestartSpawner();
  }
  if (store_ && !shutting_down_) store_->RestartIfDue(now);
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
