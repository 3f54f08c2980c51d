// Socket addresses as text, for the log and the "listening on" line.
#include "server/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace chat::server {

std::string FormatAddress(const sockaddr* address, socklen_t length) {
  char host[INET6_ADDRSTRLEN];
  if (address->sa_family == AF_INET &&
      length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  if (address->sa_family == AF_INET6 &&
      length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    std::string port = std::to_string(ntohs(v6->sin6_port));
    if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
      inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], host, sizeof host);
      return std::string(host) + ":" + port;
    }
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + port;
  }
  return "unknown";
}

std::string LocalAddressOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return "unknown";
  }
  return FormatAddress(reinterpret_cast<sockaddr*>(&address), length);
}

std::string PeerAddressOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return "unknown";
  }
  return FormatAddress(reinterpret_cast<sockaddr*>(&address), length);
}

}  // namespace chat::server
