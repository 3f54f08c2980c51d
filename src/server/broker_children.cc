// Broker, its children: the spawner's replies, its death and restart,
// SIGCHLD and the reaping of workers (drain, clear, announce, free).
#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/broker.h"
#include "server/end_reason.h"

namespace chat::server {
namespace {

// After the spawner could not be restarted, the next try comes this late.
constexpr std::chrono::milliseconds kSpawnerRestartBackoff{1000};

}  // namespace

// A spawner answers a request within milliseconds; one silent this long
// with requests waiting is stopped (SIGSTOP, a debugger) or stuck.
const std::chrono::milliseconds Broker::kSpawnerSilence{3000};

namespace {}  // namespace

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
  spawner_heard_at_ = Clock::now();
  entry->spawn_pending = false;
  --pending_spawns_;
  if (reply.pid <= 0) {
    // The spawner has answered the client and closed its socket.
    log_.Error(kServerSubject, ErrnoText("clone", reply.error));
    log_.Info(entry->subject,
              "refused: Too Many Connections: cannot start a session now");
    StopReading(index);
    Release(index);
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
  Release(index);
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
  Release(*index);
}

void Broker::CheckSpawner(Clock::time_point now) {
  if (!spawner_ || pending_spawns_ == 0 ||
      now - spawner_heard_at_ < kSpawnerSilence) {
    return;
  }
  // Killed and reaped like a spawner that died: the connections it never
  // answered for are closed, and a new spawner serves the next ones.
  log_.Error(kServerSubject,
             "spawner pid " + std::to_string(spawner_->pid()) +
                 " has not answered for " +
                 std::to_string(kSpawnerSilence.count() / 1000) +
                 " s (stopped?): killing it");
  kill(spawner_->pid(), SIGKILL);
  spawner_heard_at_ = now;  // once: its reap follows
}

}  // namespace chat::server
