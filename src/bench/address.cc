// Loopback endpoints and the source-address spread.
#include "bench/address.h"

#include <arpa/inet.h>

namespace chat::bench {

std::optional<sockaddr_in> LoopbackEndpoint(const std::string& host,
                                            uint16_t port) {
  sockaddr_in endpoint{};
  endpoint.sin_family = AF_INET;
  endpoint.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &endpoint.sin_addr) != 1) {
    return std::nullopt;
  }
  if ((ntohl(endpoint.sin_addr.s_addr) >> 24) != 127) return std::nullopt;
  return endpoint;
}

in_addr SourceAddress(int64_t index, int count) {
  if (count < 1) count = 1;
  if (count > kMaxSources) count = kMaxSources;
  auto k = static_cast<uint32_t>(index % count);
  uint32_t low = 1 + k % 254;
  uint32_t middle = k / 254;
  in_addr address;
  address.s_addr = htonl((127u << 24) | (middle << 8) | low);
  return address;
}

std::string FormatEndpoint(const sockaddr_in& endpoint) {
  char text[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &endpoint.sin_addr, text, sizeof text);
  return std::string(text) + ":" + std::to_string(ntohs(endpoint.sin_port));
}

}  // namespace chat::bench
