// Which client addresses the per-address limits and flood control apply to
// (PROTOCOL.md "Limits that protect everyone"): every address but loopback
// by default; loopback too with --limit-loopback; never the networks given
// with --exempt CIDR. The broker (connection limits) and the worker (flood
// control) both ask SubjectToLimits, so the two always agree.
#ifndef CHAT_SERVER_ADDRESS_POLICY_H_
#define CHAT_SERVER_ADDRESS_POLICY_H_

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::server {

// An address as 16 bytes: IPv6 as it is, IPv4 as its IPv4-mapped IPv6 form
// (::ffff:a.b.c.d), so that a dual-stack socket's peers and plain IPv4 ones
// compare alike.
using Address16 = std::array<uint8_t, 16>;

// The 16-byte form of a socket address; nullopt for anything but IPv4/IPv6.
std::optional<Address16> ToAddress16(const sockaddr* address, socklen_t length);
// The same for a connected socket's peer.
std::optional<Address16> PeerAddress16(int fd);

// A network: the first `bits` bits of `address` (IPv4 prefixes stored as
// IPv4-mapped, /n becoming /96+n).
struct Cidr {
  Address16 address{};
  int bits = 0;

  bool Contains(const Address16& other) const;
  bool operator==(const Cidr&) const = default;
};

// "10.0.0.0/8", "192.168.1.7" (a /32), "2001:db8::/32", "::1" (a /128);
// nullopt for anything else, including set bits past the prefix length
// ("10.0.0.1/8"), which is more likely a typing error than a wish.
std::optional<Cidr> ParseCidr(std::string_view text);

// 127.0.0.0/8 (as itself or IPv4-mapped) and ::1.
bool IsLoopback(const Address16& address);

struct AddressPolicy {
  bool limit_loopback = false;  // --limit-loopback
  std::vector<Cidr> exempt;     // --exempt, in the order given
};

// Whether the per-address limits and flood control apply to a client at
// `address`. An address that is neither IPv4 nor IPv6 (none reaches the
// server today) is not limited: there is nothing to count it by.
bool SubjectToLimits(const AddressPolicy& policy, const Address16& address);
bool SubjectToLimits(const AddressPolicy& policy,
                     const std::optional<Address16>& address);

}  // namespace chat::server

#endif  // CHAT_SERVER_ADDRESS_POLICY_H_
