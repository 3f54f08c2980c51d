// ClientPool: connection set-up, registration, I/O and dispatch.
#include "bench/client_pool.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "bench/address.h"
#include "bench/clock.h"

namespace chat::bench {
namespace {

constexpr size_t kScratchBytes = 256 * 1024;
constexpr size_t kMaxProblems = 5;
// Reads per readable connection per loop turn: enough to drain a burst,
// few enough that one busy connection does not starve the others.
constexpr int kReadsPerTurn = 8;

std::string ErrnoText(const char* what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

}  // namespace

ClientPool::ClientPool(const Dialect& dialect, const PoolConfig& config,
                       ClientHandler* handler, Progress* progress)
    : dialect_(dialect),
      config_(config),
      handler_(handler),
      progress_(progress),
      scratch_(new char[kScratchBytes]) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) setup_error_ = ErrnoText("epoll_create1", errno);
}

ClientPool::~ClientPool() {
  CloseAll();
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

int ClientPool::Open(std::string name, int role, bool join_channel) {
  const int id = static_cast<int>(clients_.size());
  clients_.emplace_back();
  Client& c = clients_.back();
  c.name = std::move(name);
  c.role = role;
  c.join_channel = join_channel;
  c.opened_ns = NowNs();
  auto fail = [&](const char* what) {
    int error = errno;
    ++counters_.connect_failures;
    Note(c.name + ": " + ErrnoText(what, error));
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    c.state = ClientState::kClosed;
    return -1;
  };
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) return fail("socket");
  int one = 1;
  // The port is picked at connect() for the whole address pair, not at
  // bind() for the source address alone, so ports are not used up early.
  setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr = SourceAddress(counters_.opened, config_.sources);
  if (bind(c.fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
    return fail("bind");
  }
  int r = connect(c.fd, reinterpret_cast<const sockaddr*>(&config_.server),
                  sizeof config_.server);
  if (r != 0 && errno != EINPROGRESS) return fail("connect");
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT;
  event.data.u64 = static_cast<uint64_t>(id);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &event) != 0) {
    return fail("epoll_ctl");
  }
  c.write_armed = true;
  ++counters_.opened;
  ++open_;
  most_open_ = std::max(most_open_, open_);
  // Registration goes out as soon as the connection is up; the server reads
  // it after its greeting.
  dialect_.Register(c.name, &c.out);
  c.wire = MakeWire(config_.wire);
  if (c.wire) {
    std::string error;
    if (!c.wire->Start(&c.wire_out, &error)) return fail(error.c_str());
  }
  c.state = ClientState::kConnecting;
  if (r == 0) FinishConnect(id);
  return id;
}

void ClientPool::Enqueue(std::string name, int role, bool join_channel) {
  queue_.push_back({std::move(name), role, join_channel});
  ++enqueued_;
}

std::string ClientPool::RefusalAdvice() const {
  if (refusal_.empty()) return {};
  if (refusal_.starts_with("ERR Unavailable")) {
    return "the server refused accounts (" + refusal_ +
           "): start it with its database (--data-dir DIR), not --ephemeral";
  }
  const bool connections =
      refusal_.find("Too Many Connections") != std::string::npos;
  const int64_t wanted = std::max(enqueued_, most_open_);
  return "the server refused users (" + refusal_ + "): start it with " +
         (connections ? "--max-connections " : "--max-users ") +
         std::to_string(wanted) + " or more";
}

void ClientPool::StartQueued() {
  while (!queue_.empty() &&
         in_flight_ < static_cast<size_t>(std::max(1, config_.concurrency))) {
    Pending next = std::move(queue_.front());
    queue_.pop_front();
    int id = Open(std::move(next.name), next.role, next.join_channel);
    if (id >= 0) {
      client(id).queued = true;
      ++in_flight_;
    }
  }
}

void ClientPool::FinishConnect(int id) {
  Client& c = client(id);
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
    error = errno;
  }
  if (error != 0) {
    ++counters_.connect_failures;
    Note(c.name + ": " + ErrnoText("connect", error));
    Gone(id, {});
    return;
  }
  c.state = ClientState::kRegistering;
  Flush(id);
}

void ClientPool::SetWriteInterest(int id, bool want) {
  Client& c = client(id);
  if (c.write_armed == want || c.fd < 0) return;
  epoll_event event{};
  event.events = EPOLLIN | (want ? EPOLLOUT : 0u);
  event.data.u64 = static_cast<uint64_t>(id);
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &event);
  c.write_armed = want;
}

void ClientPool::Flush(int id) {
  Client& c = client(id);
  if (c.state == ClientState::kClosed || c.state == ClientState::kConnecting) {
    return;
  }
  // With a wire, the lines in `out` become wire bytes first, and those
  // are what is sent.
  if (c.wire && !c.out.empty()) {
    c.wire->Send(c.out, &c.wire_out);
    c.out.clear();
    c.out_sent = 0;
  }
  std::string& bytes = c.wire ? c.wire_out : c.out;
  size_t& sent = c.wire ? c.wire_sent : c.out_sent;
  while (sent < bytes.size()) {
    ssize_t n =
        send(c.fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      SetWriteInterest(id, true);
      return;
    }
    // The peer is gone; the read side reports it and closes the connection,
    // outside whatever handler is sending now.
    bytes.clear();
    sent = 0;
    SetWriteInterest(id, false);
    return;
  }
  bytes.clear();
  sent = 0;
  SetWriteInterest(id, false);
}

void ClientPool::Close(int id) {
  Client& c = client(id);
  if (c.state == ClientState::kClosed) return;
  if (c.state == ClientState::kReady) --ready_;
  if (c.queued && c.state != ClientState::kReady) --in_flight_;
  c.state = ClientState::kClosed;
  close(c.fd);  // also leaves the epoll set: the fd is never duplicated
  c.fd = -1;
  --open_;
  std::string().swap(c.out);
  c.wire.reset();
  std::string().swap(c.wire_out);
  c.wire_sent = 0;
  c.out_sent = 0;
  if (id != dispatching_) c.in.Release();
}

void ClientPool::CancelPending() {
  queue_.clear();
  for (size_t id = 0; id < clients_.size(); ++id) {
    if (clients_[id].state != ClientState::kReady) Close(static_cast<int>(id));
  }
}

void ClientPool::CloseAll() {
  for (size_t id = 0; id < clients_.size(); ++id) Close(static_cast<int>(id));
}

void ClientPool::Gone(int id, std::string_view why) {
  Client& c = client(id);
  if (c.state == ClientState::kClosed) return;
  bool was_ready = c.state == ClientState::kReady;
  bool was_connecting = c.state == ClientState::kConnecting;
  if (!was_ready && !was_connecting) ++counters_.registration_failures;
  if (!c.expect_close && !was_connecting) {
    ++counters_.unexpected_closes;
    if (!why.empty()) Note(c.name + ": " + std::string(why));
  }
  Close(id);
  handler_->OnClosed(id);
}

void ClientPool::Note(std::string text) {
  if (problems_.size() < kMaxProblems) problems_.push_back(std::move(text));
}

void ClientPool::CountError(int id, std::string_view what) {
  ++counters_.errors;
  if (problems_.size() < kMaxProblems) {
    Note(client(id).name + ": " + std::string(what.substr(0, 200)));
  }
}

void ClientPool::MarkReady(int id) {
  Client& c = client(id);
  c.state = ClientState::kReady;
  ++ready_;
  if (c.queued) --in_flight_;
  handler_->OnReady(id);
}

void ClientPool::DispatchLine(int id, std::string_view line) {
  Client& c = client(id);
  if (c.state == ClientState::kClosed) return;
  ++counters_.lines_in;
  if (line.empty()) return;
  Event event = dialect_.Parse(line);
  switch (event.kind) {
    case EventKind::kPing:
      ++counters_.pings;
      dialect_.Pong(event.text, &c.out);
      Flush(id);
      return;
    case EventKind::kHello:
    case EventKind::kPong:
    case EventKind::kOther:
      return;
    case EventKind::kMalformed:
      CountError(id, "malformed line: " + std::string(line));
      return;
    case EventKind::kAnnounceJoin:
      if (SameName(event.from, c.name)) {
        if (c.state == ClientState::kJoiningChannel) MarkReady(id);
      } else {
        ++counters_.announced_joins;
      }
      return;
    case EventKind::kChannelJoined:
      if (c.state == ClientState::kJoiningChannel) MarkReady(id);
      return;
    case EventKind::kAnnounceLeave:
      if (!SameName(event.from, c.name)) ++counters_.announced_leaves;
      return;
    case EventKind::kRegistered:
      if (c.state != ClientState::kRegistering) {
        CountError(id, "registered twice: " + std::string(line));
      } else if (c.join_channel && dialect_.has_channel()) {
        c.state = ClientState::kJoiningChannel;
        dialect_.JoinChannel(&c.out);
        Flush(id);
      } else {
        MarkReady(id);
      }
      return;
    case EventKind::kError:
      CountError(id, line);
      if (c.state != ClientState::kReady && refusal_.empty()) {
        if (line.starts_with("ERR Too Many Users") ||
            line.starts_with("ERR Too Many Connections")) {
          refusal_ = line.substr(0, line.find(':'));
        } else if (line.starts_with("ERR Unavailable")) {
          // No accounts (a server without its database): the detail says
          // why, so the whole line is kept.
          refusal_ = line;
        }
      }
      if (c.state != ClientState::kReady) {
        Gone(id, {});
        return;
      }
      handler_->OnEvent(id, event);
      return;
    case EventKind::kDirect:
    case EventKind::kBroadcast:
    case EventKind::kAck:
    case EventKind::kQuitAck:
    case EventKind::kBye:
    case EventKind::kFile:
      if (c.state == ClientState::kReady) {
        handler_->OnEvent(id, event);
      } else {
        CountError(id, "before registration: " + std::string(line));
      }
      return;
  }
}

void ClientPool::ReadAll(int id) {
  char* scratch = scratch_.get();
  for (int reads = 0; reads < kReadsPerTurn; ++reads) {
    Client& c = client(id);
    if (c.state == ClientState::kClosed) return;
    ssize_t n = read(c.fd, scratch, kScratchBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      Gone(id, n == 0 ? "connection closed by the server"
                      : ErrnoText("read", errno));
      return;
    }
    counters_.bytes_in += n;
    std::string_view received(scratch, static_cast<size_t>(n));
    std::string plain;
    if (c.wire) {
      std::string error;
      size_t before = c.wire_out.size();
      if (!c.wire->Receive(received, &plain, &c.wire_out, &error)) {
        Gone(id, error);
        return;
      }
      if (c.wire_out.size() != before) Flush(id);
      received = plain;
    }
    dispatching_ = id;
    bool fits = c.in.Feed(received, [this, id](std::string_view line) {
      DispatchLine(id, line);
    });
    dispatching_ = -1;
    if (c.state == ClientState::kClosed) {
      c.in.Release();
      return;
    }
    if (!fits) CountError(id, "line longer than 64 KiB");
    // A short read means the socket is drained; saves one EAGAIN read.
    if (static_cast<size_t>(n) < kScratchBytes) return;
  }
}

void ClientPool::HandleEvent(int id, uint32_t events) {
  Client& c = client(id);
  if (c.state == ClientState::kClosed) return;
  if (c.state == ClientState::kConnecting) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) FinishConnect(id);
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ReadAll(id);
  if ((events & EPOLLOUT) && client(id).state != ClientState::kClosed) {
    Flush(id);
  }
}

bool ClientPool::RunUntil(const std::function<bool()>& done,
                          int64_t deadline_ns) {
  constexpr int kMaxEvents = 1024;
  epoll_event events[kMaxEvents];
  for (;;) {
    StartQueued();
    if (done()) return true;
    int64_t now = NowNs();
    if (now >= deadline_ns) return false;
    if (progress_) progress_->Tick(now);
    int64_t wait_ms =
        std::min<int64_t>(100, (deadline_ns - now) / 1'000'000 + 1);
    int n =
        epoll_wait(epoll_fd_, events, kMaxEvents, static_cast<int>(wait_ms));
    if (n < 0) {
      if (errno == EINTR) continue;
      Note(ErrnoText("epoll_wait", errno));
      return false;
    }
    for (int i = 0; i < n; ++i) {
      HandleEvent(static_cast<int>(events[i].data.u64), events[i].events);
    }
  }
}

}  // namespace chat::bench
