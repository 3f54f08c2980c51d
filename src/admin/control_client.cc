// AskServer: connect, send, read to the end with a deadline.
#include "admin/control_client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>

#include "store/control.h"

namespace chat::admin {
namespace {

// The store answers at once; this only bounds a stopped server.
constexpr std::chrono::seconds kAnswerTimeout{10};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::optional<std::string> AskServer(const std::string& data_dir,
                                     std::string_view request,
                                     std::string* error) {
  const std::string path = data_dir + "/" + std::string(store::kControlFile);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    *error = path + ": the path is too long for a Unix socket";
    return std::nullopt;
  }
  path.copy(address.sun_path, path.size());
  Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    *error = std::string("socket: ") + strerror(errno);
    return std::nullopt;
  }
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address),
              sizeof address) != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) {
      *error = "no server is running on " + data_dir +
               " (no control socket; a server started with --ephemeral "
               "has none)";
    } else {
      *error = path + ": " + strerror(errno);
    }
    return std::nullopt;
  }
  std::string line = std::string(request) + "\n";
  if (send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(line.size())) {
    *error = path + ": " + strerror(errno);
    return std::nullopt;
  }
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd.get(), POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) == 0) {
      *error = "the server did not answer in time";
      return std::nullopt;
    }
    char buffer[4096];
    ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
  }
  size_t end = answer.find('\n');
  if (end == std::string::npos) {
    *error = "the server closed the control socket without an answer";
    return std::nullopt;
  }
  answer.resize(end);
  return answer;
}

}  // namespace chat::admin
