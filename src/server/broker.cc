// Broker: the epoll loop and its dispatch, the channels (frames in, frames
// out), timers and the shutdown (SIGTERM -> BYE to all, wait, exit).
// Accepting is in broker_accept.cc, the children (spawner, reaping) in
// broker_children.cc.
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
#include "server/file_options.h"
#include "server/sandbox.h"

namespace chat::server {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxEvents = 64;
// Held JOINED/LEFT wait after a pass as long as it took (relay.h), at least
// this long...
constexpr milliseconds kMinCoalesceWindow{5};
// ...and at most this long, however long a pass to every user takes.
constexpr milliseconds kMaxCoalesceWindow{500};
// Shutdown: how long workers get to say BYE and exit, then how long SIGKILLed
// ones get to disappear.
constexpr milliseconds kShutdownGrace{3000};
// How often the user table's entries of dead workers are retried while
// another process holds its mutex.
constexpr milliseconds kRegistryRetry{100};
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
      address_limits_(options.address_limits),
      relay_(table_, registry, log, options.send_queue + kHungSlack,
             kMinCoalesceWindow, kMaxCoalesceWindow, options.max_rooms,
             FileLimitsOf(options)),
      moves_(table_, relay_),
      moderation_(table_, relay_, log),
      spawn_context_(context),
      spawner_(std::move(spawner)) {
  if (!options.ephemeral) {
    store_.emplace(options, log, registry, table_, relay_, moderation_);
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
  if (spawner_ && pending_spawns_ > 0) {
    consider(spawner_heard_at_ + kSpawnerSilence);
  }
  if (relay_.registry_clears_pending()) {
    consider(Clock::now() + kRegistryRetry);
  }
  if (auto due = relay_.held_due()) consider(*due);
  if (auto due = relay_.files().next_due()) consider(*due);
  if (restart_spawner_at_ && !shutting_down_) consider(*restart_spawner_at_);
  if (store_ && store_->restart_due() && !shutting_down_) {
    consider(*store_->restart_due());
  }
  if (store_ && !shutting_down_) {
    if (auto due = store_->silence_due()) consider(*due);
  }
  if (shutting_down_)
    consider(killed_all_ ? kill_deadline_ : shutdown_deadline_);
  return timeout;
}

std::optional<int> Broker::HandleTimers() {
  auto now = Clock::now();
  if (resume_accepting_at_ && now >= *resume_accepting_at_) ResumeAccepting();
  relay_.RetryRegistryClears();
  CheckSpawner(now);
  if (store_ && !shutting_down_) store_->CheckSilence(now);
  if (restart_spawner_at_ && now >= *restart_spawner_at_ && !shutting_down_) {
    RestartSpawner();
  }
  if (store_ && !shutting_down_) store_->RestartIfDue(now);
  relay_.files().OnTimer(now);
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
