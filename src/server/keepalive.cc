// SO_KEEPALIVE with TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT; the
// system-wide defaults (two hours idle) are far too long for a chat name.
#include "server/keepalive.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>

namespace chat::server {
namespace {

std::string SetInt(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof value) == 0) return {};
  return std::string("setsockopt ") + what + ": " + std::strerror(errno);
}

}  // namespace

std::string SetKeepalive(int fd, const KeepaliveOptions& options) {
  if (options.idle_seconds == 0) return {};
  std::string error =
      SetInt(fd, IPPROTO_TCP, TCP_KEEPIDLE,
             static_cast<int>(options.idle_seconds), "TCP_KEEPIDLE");
  if (error.empty()) {
    error = SetInt(fd, IPPROTO_TCP, TCP_KEEPINTVL,
                   static_cast<int>(options.interval_seconds), "TCP_KEEPINTVL");
  }
  if (error.empty()) {
    error = SetInt(fd, IPPROTO_TCP, TCP_KEEPCNT,
                   static_cast<int>(options.count), "TCP_KEEPCNT");
  }
  if (error.empty()) {
    error = SetInt(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
  }
  return error;
}

}  // namespace chat::server
