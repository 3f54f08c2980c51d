// Broker, accepting: accept -> per-address limits -> socketpair -> request
// to the spawner; refusals; pausing the listeners when resources run out.
#include <errno.h>
#include <sys/socket.h>

#include "protocol/reply.h"
#include "server/address.h"
#include "server/broker.h"

namespace chat::server {
namespace {

// Connections taken per wake-up of a listener: enough to batch, few enough
// that a flood of connections cannot starve the workers' channels.
constexpr int kAcceptsPerTurn = 64;
// After a failed fork or accept for lack of resources, the listeners rest
// this long instead of failing again at once in a busy loop.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
// What a client refused by a per-address limit is told (PROTOCOL.md); the
// log says which limit.
constexpr std::string_view kFromYourAddress = "from your address";

}  // namespace

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
    StartWorker(ipc::UniqueFd(fd), reinterpret_cast<sockaddr*>(&peer), length,
                listeners_[listener].way);
  }
}

void Broker::StartWorker(ipc::UniqueFd client, const sockaddr* address,
                         socklen_t length, WayIn way) {
  const std::string peer = FormatAddress(address, length);
  std::optional<Address16> client_address = ToAddress16(address, length);
  if (moderation_.Banned(client_address)) {
    RefuseBanned(std::move(client), peer);
    return;
  }
  if (!spawner_) {
    Refuse(std::move(client), peer, "cannot start a session now");
    return;
  }
  // The server-wide limit first: a full server says so to everyone alike.
  std::optional<uint32_t> index = table_.Allocate();
  if (!index) {
    Refuse(std::move(client), peer, {});
    return;
  }
  std::optional<Address16> limited = ToAddress16(address, length);
  if (!SubjectToLimits(options_.address_policy, limited)) limited.reset();
  if (limited) {
    AddressLimits::Verdict verdict =
        address_limits_.Admit(*limited, Clock::now());
    if (verdict != AddressLimits::Verdict::kAdmit) {
      table_.Free(*index);
      Refuse(std::move(client), peer, kFromYourAddress, Describe(verdict));
      return;
    }
    table_.at(*index).limited_address = limited;
  }
  std::string error;
  auto channels = ipc::Channel::CreatePair(&error);
  if (!channels) {
    log_.Error(kServerSubject, error);
    Release(*index);
    Refuse(std::move(client), peer, "cannot start a session now");
    PauseAccepting();
    return;
  }
  WorkerEntry& entry = table_.at(*index);
  if (pending_spawns_++ == 0) spawner_heard_at_ = Clock::now();
  entry.spawn_pending = true;
  // Named in the log by the broker's end of its channel: open as long as
  // the connection is, so no two open connections share the number (the
  // accepted socket itself is closed here once the spawner has it, and its
  // number reused at once).
  entry.client_number = channels->first.fd();
  entry.session = ++next_session_;
  entry.peer = peer;
  entry.address = client_address;
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
  Release(start.index);
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
                    std::string_view detail, std::string_view why) {
  SendAndClose(
      std::move(client), peer,
      protocol::FormatError(protocol::ErrorCode::kTooManyConnections, detail),
      "Too Many Connections" +
          (detail.empty() ? "" : ": " + std::string(detail)) +
          (why.empty() ? "" : " (" + std::string(why) + ")"));
}

void Broker::RefuseBanned(ipc::UniqueFd client, const std::string& peer) {
  SendAndClose(std::move(client), peer,
               protocol::FormatError(protocol::ErrorCode::kBanned), "Banned");
}

void Broker::SendAndClose(ipc::UniqueFd client, const std::string& peer,
                          std::string_view line, std::string_view why) {
  // Best effort: a fresh socket has room for one line, and if not, the
  // client learns from the close.
  (void)send(client.get(), line.data(), line.size(),
             MSG_NOSIGNAL | MSG_DONTWAIT);
  log_.Info("fd " + std::to_string(client.get()),
            "refused from " + peer + ": " + std::string(why));
  shutdown(client.get(), SHUT_WR);
}

void Broker::Release(uint32_t index) {
  WorkerEntry& entry = table_.at(index);
  if (entry.limited_address) {
    // A connection that never got a worker costs its address nothing.
    address_limits_.Closed(
        *entry.limited_address,
        entry.ever_registered || entry.spawn_pending || entry.pid <= 0,
        Clock::now());
  }
  table_.Free(index);
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

}  // namespace chat::server
