// Loopback addressing for the benchmark: the server must be on 127.0.0.0/8,
// and connections come from many source addresses in that network, so that
// 10,000+ connections to one port do not run out of ephemeral ports (each
// source address has its own range).
#ifndef CHAT_BENCH_ADDRESS_H_
#define CHAT_BENCH_ADDRESS_H_

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::bench {

// host:port as a socket address, or nullopt unless host is a numeric IPv4
// address in 127.0.0.0/8 (the benchmark sends traffic nowhere else).
std::optional<sockaddr_in> LoopbackEndpoint(const std::string& host,
                                            uint16_t port);

// The source address for connection number `index` when `count` addresses
// are in use: 127.0.b.a with a in 1..254, cycling through `count` of them.
in_addr SourceAddress(int64_t index, int count);

// "127.0.0.1:6667"
std::string FormatEndpoint(const sockaddr_in& endpoint);

// The largest number of source addresses SourceAddress spreads over.
inline constexpr int kMaxSources = 254 * 256;

}  // namespace chat::bench

#endif  // CHAT_BENCH_ADDRESS_H_
