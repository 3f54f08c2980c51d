// StoreLink: fork, relay both ways, audit and history reports, restart.
#include "server/store_link.h"

#include <errno.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc/unique_fd.h"
#include "server/end_reason.h"
#include "store/control.h"
#include "store/database.h"
#include "store/store_process.h"
#include "store/wire.h"

namespace chat::server {
namespace {

using store::Op;

// Past this many bytes waiting for the store (it is stuck or far behind),
// history records are dropped and requests answered as failed at once,
// rather than the broker's memory growing.
constexpr size_t kMaxQueued = 16 << 20;
// After the store could not be started, the next try comes this late.
constexpr std::chrono::seconds kRestartBackoff{1};
// A store that dies sooner than this after its start (it cannot open the
// database) is restarted only after kRestartBackoff.
constexpr std::chrono::milliseconds kYoungDeath{200};
// How long Stop() waits for the store to commit and exit.
constexpr std::chrono::milliseconds kStopGrace{3000};
// How long start-up waits for the store to open the database.
constexpr std::chrono::milliseconds kReadyTimeout{30000};

// Waits until `fd` is ready for `events` or `deadline` passes; true when
// it is ready.
bool WaitFor(int fd, short events, StoreLink::Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - StoreLink::Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

int64_t NewRunId() {
  int64_t run = 0;
  if (getrandom(&run, sizeof run, 0) != sizeof run) {
    run = static_cast<int64_t>(time(nullptr)) ^ getpid();
  }
  return run & INT64_MAX;
}

std::string_view Subject() { return "store"; }

}  // namespace

StoreLink::StoreLink(const Options& options, const Log& log,
                     ipc::Registry& registry, WorkerTable& table, Relay& relay,
                     Moderation& moderation)
    : options_(options),
      log_(log),
      registry_(registry),
      table_(table),
      relay_(relay),
      moderation_(moderation),
      run_(NewRunId()) {}

bool StoreLink::Start(std::string* error) {
  auto pair = ipc::Channel::CreatePair(error);
  if (!pair) return false;
  pid_t pid = fork();
  if (pid < 0) {
    *error = ErrnoText("fork", errno);
    return false;
  }
  if (pid == 0) {
    // Keep stdin/out/err and the channel; close what the broker held
    // (listeners, other channels, the data directory's lock).
    ipc::Channel channel = std::move(pair->second);
    int keep = channel.fd();
    if (keep > STDERR_FILENO + 1) {
      close_range(STDERR_FILENO + 1, static_cast<unsigned>(keep - 1), 0);
    }
    close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
    const Log* log = &log_;
    store::StoreSetup setup{
        std::move(channel),
        options_.data_dir + "/" + std::string(store::kDatabaseFile),
        options_.data_dir + "/" + std::string(store::kControlFile),
        store::Limits{options_.mailbox, options_.mailbox_days,
                      options_.history_days},
        &registry_,
        run_,
        [log](std::string_view text) { log->Info(Subject(), text); },
        [log](std::string_view text) { log->Error(Subject(), text); }};
    store::RunStore(std::move(setup));
  }
  pid_ = pid;
  started_at_ = Clock::now();
  ping_sent_at_.reset();
  channel_.emplace(std::move(pair->first));
  replaced_ = true;
  log_.Info(kServerSubject, "store started, pid " + std::to_string(pid));
  return true;
}

bool StoreLink::WaitReady(std::string* error) {
  // At start-up only, before any client is served: the server does not
  // claim to listen with a database it cannot open.
  // The bans come first (bounded: the list is finite and each frame is
  // consumed), then the ready frame.
  const auto deadline = Clock::now() + kReadyTimeout;
  for (;;) {
    if (!WaitFor(channel_->fd(), POLLIN, deadline)) {
      *error = "the database did not open in time";
      return false;
    }
    ipc::FrameView frame;
    if (channel_->Receive(&frame) != ipc::ChannelStatus::kOk) break;
    if (frame.kind == ipc::FrameKind::kStoreReply &&
        frame.target == store::kReadyTarget) {
      return true;
    }
    if (frame.kind != ipc::FrameKind::kBanList) break;
    moderation_.OnFrame(frame);
  }
  *error = "the database could not be opened (see above)";
  return false;
}

void StoreLink::Send(std::string_view payload, ipc::WorkerId worker,
                     uint32_t session) {
  channel_->Queue(ipc::FrameKind::kStoreRequest, payload, worker, session);
}

void StoreLink::FromWorker(uint32_t index, const ipc::FrameView& frame) {
  WorkerEntry& entry = table_.at(index);
  if (!running() || channel_->queued_bytes() > kMaxQueued) {
    // Answered at once: the worker gives its client an error.
    relay_.SendNow(index, ipc::FrameKind::kStoreGone, {});
    return;
  }
  Send(frame.payload, entry.id, entry.session);
  if (!ping_sent_at_) {
    // Queued behind the request: its answer comes once the store has
    // reached it.
    Send(store::EncodeRequest(0, Op::kPing, {}), store::kReadyTarget, 0);
    ping_sent_at_ = Clock::now();
  }
}

void StoreLink::SessionOpen(const WorkerEntry& entry) {
  if (!running()) return;
  std::string pid = std::to_string(entry.pid);
  Send(store::EncodeRequest(0, Op::kSessionOpen, {entry.peer, pid}), entry.id,
       entry.session);
}

void StoreLink::SessionEnd(const WorkerEntry& entry, std::string_view how) {
  if (!running()) return;
  Send(store::EncodeRequest(0, Op::kSessionEnd, {how}), entry.id,
       entry.session);
}

void StoreLink::Record(std::string_view lines, std::string_view to) {
  if (!running() || options_.history_days == 0) return;
  if (channel_->queued_bytes() > kMaxQueued) {
    if (dropped_++ % 1000 == 0) {
      log_.Error(kServerSubject, "the store lags: history records dropped (" +
                                     std::to_string(dropped_) + " so far)");
    }
    return;
  }
  // Each line is "MESG <from> <text>" or "BCST <from> <text>" (a frame of
  // private lines may hold several), or "MESG <room> <from> <text>".
  while (!lines.empty()) {
    size_t end = lines.find('\n');
    std::string_view line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view()
                                          : lines.substr(end + 1);
    size_t from_at = line.find(' ');
    if (from_at == std::string_view::npos) continue;
    if (line.substr(from_at + 1).starts_with("#")) {
      from_at = line.find(' ', from_at + 1);  // the room is `to`
      if (from_at == std::string_view::npos) continue;
    }
    size_t text_at = line.find(' ', from_at + 1);
    if (text_at == std::string_view::npos) continue;
    std::string_view from = line.substr(from_at + 1, text_at - from_at - 1);
    std::string_view text = line.substr(text_at + 1);
    Send(store::EncodeRequest(0, Op::kRecord, {from, to, text}), {}, 0);
  }
}

void StoreLink::OnReadable() {
  for (int i = 0; i < 256 && channel_; ++i) {
    ipc::FrameView frame;
    switch (channel_->Receive(&frame)) {
      case ipc::ChannelStatus::kOk:
        if (frame.kind == ipc::FrameKind::kBanList ||
            frame.kind == ipc::FrameKind::kKick) {
          moderation_.OnFrame(frame);
          continue;
        }
        if (frame.kind != ipc::FrameKind::kStoreReply) continue;
        if (frame.target == store::kReadyTarget) {
          ping_sent_at_.reset();  // the store answers
          continue;
        }
        // A worker gone meanwhile (the generation differs) gets nothing.
        if (WorkerEntry* entry = table_.Find(frame.target)) {
          relay_.SendNow(entry->id.connection, ipc::FrameKind::kStoreReply,
                         frame.payload, frame.count);
        }
        continue;
      case ipc::ChannelStatus::kWouldBlock:
        return;
      case ipc::ChannelStatus::kClosed:
      case ipc::ChannelStatus::kError:
        return;  // the reap restarts it
    }
  }
}

bool StoreLink::Flush() {
  if (!channel_) return false;
  return channel_->Flush() == ipc::ChannelStatus::kWouldBlock;
}

bool StoreLink::OnReaped(pid_t pid, int wait_status, bool shutting_down) {
  if (pid != pid_ || pid_ <= 0) return false;
  pid_ = -1;
  ping_sent_at_.reset();
  OnReadable();  // answers it sent before it died
  channel_.reset();
  replaced_ = true;
  std::string what = "store pid " + std::to_string(pid) +
                     " ended: " + DescribeWaitStatus(wait_status);
  if (shutting_down) {
    log_.Info(kServerSubject, what);
    return true;
  }
  log_.Error(kServerSubject, what);
  const bool died_young = Clock::now() - started_at_ < kYoungDeath;
  // Whatever was in flight is lost with it: every worker waiting for an
  // answer must not wait for ever.
  for (uint32_t index = 0; index < table_.capacity(); ++index) {
    if (table_.at(index).in_use) {
      relay_.SendNow(index, ipc::FrameKind::kStoreGone, {});
    }
  }
  // One that cannot even start (the disk is gone) is not restarted in a
  // busy loop.
  if (died_young) {
    restart_at_ = Clock::now() + kRestartBackoff;
  } else {
    Restart();
  }
  return true;
}

void StoreLink::Restart() {
  restart_at_.reset();
  std::string error;
  if (!Start(&error)) {
    log_.Error(kServerSubject, "cannot restart the store: " + error);
    restart_at_ = Clock::now() + kRestartBackoff;
    return;
  }
  // The audit log learns the sessions that began while it was down (the
  // store ignores those it has).
  for (uint32_t index = 0; index < table_.capacity(); ++index) {
    const WorkerEntry& entry = table_.at(index);
    if (entry.in_use && entry.pid > 0) SessionOpen(entry);
  }
}

void StoreLink::RestartIfDue(Clock::time_point now) {
  if (restart_at_ && now >= *restart_at_) Restart();
}

void StoreLink::CheckSilence(Clock::time_point now) {
  if (!ping_sent_at_ || pid_ <= 0 || now - *ping_sent_at_ < kStoreSilence) {
    return;
  }
  // Killed and reaped like a store that died: the workers waiting are told
  // (kStoreGone) and a new store serves the next requests.
  log_.Error(kServerSubject, "store pid " + std::to_string(pid_) +
                                 " has not answered for " +
                                 std::to_string(kStoreSilence.count()) +
                                 " s (stopped?): killing it");
  kill(pid_, SIGKILL);
  ping_sent_at_.reset();  // once: its reap follows
}

void StoreLink::Stop() {
  restart_at_.reset();
  if (pid_ <= 0) return;
  // Blocking here is fine: the broker has nothing else left to do. One
  // deadline covers both waits: the last frames out, then the exit.
  const auto deadline = Clock::now() + kStopGrace;
  if (channel_) {
    while (channel_->Flush() == ipc::ChannelStatus::kWouldBlock &&
           WaitFor(channel_->fd(), POLLOUT, deadline)) {
    }
    channel_.reset();  // the store sees end of file, commits and exits
  }
  int status = 0;
  ipc::UniqueFd exited(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
  if (exited.get() >= 0) WaitFor(exited.get(), POLLIN, deadline);
  if (waitpid(pid_, &status, WNOHANG) != pid_) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  log_.Info(kServerSubject, "store stopped");
  pid_ = -1;
}

}  // namespace chat::server
