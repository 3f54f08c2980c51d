// ControlSocket: listen, accept one, check the peer, read a line, answer.
#include "store/control.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace chat::store {

std::optional<ControlSocket> ControlSocket::Open(const std::string& path,
                                                 std::string* error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    *error = "control socket: the path is too long for a Unix socket: " + path;
    return std::nullopt;
  }
  path.copy(address.sun_path, path.size());
  ipc::UniqueFd listener(
      socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener) {
    *error = std::string("control socket: socket: ") + strerror(errno);
    return std::nullopt;
  }
  // A file left by a server that was killed. Only one server runs on a data
  // directory (the broker holds its lock), so nobody else listens there.
  unlink(path.c_str());
  // Created 0600 from the start (the store is single-threaded, so the umask
  // change affects nothing else), never briefly open to others.
  mode_t old_mask = umask(0177);
  int bound = bind(listener.get(), reinterpret_cast<sockaddr*>(&address),
                   sizeof address);
  int bind_errno = errno;
  umask(old_mask);
  if (bound != 0 || listen(listener.get(), 8) != 0) {
    *error = std::string("control socket ") + path + ": " +
             strerror(bound != 0 ? bind_errno : errno);
    return std::nullopt;
  }
  return ControlSocket(path, std::move(listener));
}

ControlSocket::~ControlSocket() {
  if (listener_) unlink(path_.c_str());
}

pollfd ControlSocket::PollEntry() const {
  if (client_) return pollfd{client_.get(), POLLIN, 0};
  return pollfd{listener_.get(), POLLIN, 0};
}

int ControlSocket::TimeoutMs(Clock::time_point now) const {
  if (!client_) return -1;
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now);
  return static_cast<int>(std::max<int64_t>(0, left.count() + 1));
}

void ControlSocket::OnReady(short revents, const Handler& handler) {
  if (!client_) {
    if (revents & POLLIN) Accept();
    return;
  }
  if (revents & (POLLIN | POLLHUP | POLLERR)) {
    char buffer[512];
    ssize_t n = recv(client_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      client_.Reset();  // gone before its line was complete
      return;
    }
    line_.append(buffer, static_cast<size_t>(n));
    size_t end = line_.find('\n');
    if (end != std::string::npos) {
      Finish(handler(std::string_view(line_).substr(0, end)));
    } else if (line_.size() > kMaxControlLine) {
      Finish("ERR the request is too long\n");
    }
    return;
  }
  if (Clock::now() >= deadline_) client_.Reset();
}

void ControlSocket::Accept() {
  ipc::UniqueFd client(
      accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!client) return;
  ucred peer{};
  socklen_t length = sizeof peer;
  if (getsockopt(client.get(), SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 ||
      peer.uid != geteuid()) {
    static constexpr std::string_view kRefused =
        "ERR only the server's own user may use the control socket\n";
    (void)send(client.get(), kRefused.data(), kRefused.size(),
               MSG_NOSIGNAL | MSG_DONTWAIT);
    return;
  }
  client_ = std::move(client);
  line_.clear();
  deadline_ = Clock::now() + kControlTimeout;
}

void ControlSocket::Finish(std::string_view answer) {
  // The answer is short and the socket fresh: one send takes it. A peer
  // that does not read it loses it rather than stalling the store.
  (void)send(client_.get(), answer.data(), answer.size(),
             MSG_NOSIGNAL | MSG_DONTWAIT);
  client_.Reset();
  line_.clear();
}

}  // namespace chat::store
