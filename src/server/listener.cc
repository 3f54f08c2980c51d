// Opening, binding and listening: SO_REUSEADDR so a restart does not wait for
// TIME_WAIT, a deep backlog so a burst of connects is not refused while the
// broker forks.
#include "server/listener.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "server/address.h"

namespace chat::server {
namespace {

constexpr int kBacklog = 4096;  // the kernel caps it at net.core.somaxconn

std::string Describe(const sockaddr* address, socklen_t length) {
  return FormatAddress(address, length);
}

// Binds and listens on one address; *error explains a failure.
std::optional<Listener> Listen(const sockaddr* address, socklen_t length,
                               bool dual_stack, std::string* error,
                               int* error_number) {
  ipc::UniqueFd fd(socket(address->sa_family,
                          SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    *error_number = errno;
    *error = "socket: " + std::string(std::strerror(errno));
    return std::nullopt;
  }
  int one = 1;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    *error_number = errno;
    *error = "setsockopt SO_REUSEADDR: " + std::string(std::strerror(errno));
    return std::nullopt;
  }
  if (address->sa_family == AF_INET6) {
    int v6_only = dual_stack ? 0 : 1;
    if (setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6_only,
                   sizeof v6_only) != 0) {
      *error_number = errno;
      *error = "setsockopt IPV6_V6ONLY: " + std::string(std::strerror(errno));
      return std::nullopt;
    }
  }
  if (bind(fd.get(), address, length) != 0) {
    *error_number = errno;
    *error = "bind " + Describe(address, length) + ": " +
             std::string(std::strerror(errno));
    return std::nullopt;
  }
  if (listen(fd.get(), kBacklog) != 0) {
    *error_number = errno;
    *error = "listen " + Describe(address, length) + ": " +
             std::string(std::strerror(errno));
    return std::nullopt;
  }
  Listener listener;
  listener.address = LocalAddressOf(fd.get());
  listener.fd = std::move(fd);
  return listener;
}

std::optional<std::vector<Listener>> ListenEverywhere(uint16_t port,
                                                      std::string* error) {
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_addr = in6addr_any;
  v6.sin6_port = htons(port);
  int error_number = 0;
  std::vector<Listener> listeners;
  auto listener = Listen(reinterpret_cast<sockaddr*>(&v6), sizeof v6,
                         /*dual_stack=*/true, error, &error_number);
  if (!listener &&
      (error_number == EAFNOSUPPORT || error_number == EADDRNOTAVAIL)) {
    // No IPv6 on this host: IPv4 alone.
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_addr.s_addr = htonl(INADDR_ANY);
    v4.sin_port = htons(port);
    listener = Listen(reinterpret_cast<sockaddr*>(&v4), sizeof v4,
                      /*dual_stack=*/false, error, &error_number);
  }
  if (!listener) return std::nullopt;
  listeners.push_back(std::move(*listener));
  return listeners;
}

void SetPort(sockaddr* address, uint16_t port) {
  if (address->sa_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(address)->sin_port = htons(port);
  } else if (address->sa_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(address)->sin6_port = htons(port);
  }
}

uint16_t PortOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return 0;
  }
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
}

}  // namespace

std::optional<std::vector<Listener>> OpenListeners(const std::string& bind,
                                                   uint16_t port,
                                                   std::string* error) {
  if (bind.empty()) return ListenEverywhere(port, error);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  int status = getaddrinfo(bind.c_str(), nullptr, &hints, &found);
  if (status != 0) {
    *error = "--bind " + bind + ": " + gai_strerror(status);
    return std::nullopt;
  }
  std::vector<Listener> listeners;
  std::vector<std::string> bound;
  bool failed = false;
  for (addrinfo* entry = found; entry; entry = entry->ai_next) {
    sockaddr_storage address{};
    std::memcpy(&address, entry->ai_addr, entry->ai_addrlen);
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    // Port 0 is resolved by the first bind; the others reuse that port.
    SetPort(generic, listeners.empty() ? port : PortOf(listeners[0].fd.get()));
    std::string text = FormatAddress(generic, entry->ai_addrlen);
    bool duplicate = false;
    for (const auto& seen : bound) duplicate = duplicate || seen == text;
    if (duplicate) continue;
    bound.push_back(text);
    int error_number = 0;
    // "::" given explicitly still means both families, as by default.
    bool any_v6 =
        entry->ai_family == AF_INET6 &&
        IN6_IS_ADDR_UNSPECIFIED(
            &reinterpret_cast<sockaddr_in6*>(entry->ai_addr)->sin6_addr);
    auto listener =
        Listen(generic, entry->ai_addrlen, any_v6, error, &error_number);
    if (!listener) {
      failed = true;
      break;
    }
    listeners.push_back(std::move(*listener));
  }
  freeaddrinfo(found);
  if (failed) return std::nullopt;
  if (listeners.empty()) {
    *error = "--bind " + bind + ": no usable address";
    return std::nullopt;
  }
  return listeners;
}

}  // namespace chat::server
