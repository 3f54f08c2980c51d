// The listening sockets. Without --bind: one socket on [::] that also takes
// IPv4 (IPV6_V6ONLY off), so port 0 yields one port for both families; on a
// host without IPv6, 0.0.0.0. With --bind: every address the name or number
// resolves to, all on the same port.
#ifndef CHAT_SERVER_LISTENER_H_
#define CHAT_SERVER_LISTENER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipc/unique_fd.h"
#include "server/way_in.h"

namespace chat::server {

struct Listener {
  ipc::UniqueFd fd;           // non-blocking, close-on-exec, listening
  std::string address;        // e.g. "[::]:8001", with the real port
  WayIn way = WayIn::kPlain;  // what its connections speak
};

// An empty `bind` means every address. On failure returns nullopt and one
// line of explanation in *error.
std::optional<std::vector<Listener>> OpenListeners(const std::string& bind,
                                                   uint16_t port,
                                                   std::string* error);

}  // namespace chat::server

#endif  // CHAT_SERVER_LISTENER_H_
