// Address normalisation, CIDR parsing and matching, and the exemption rule
// shared by the broker and the workers.
#include "server/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace chat::server {
namespace {

constexpr int kMappedPrefixBits = 96;  // ::ffff:0:0/96

Address16 MappedFromIpv4(const in_addr& v4) {
  Address16 out{};
  out[10] = 0xff;
  out[11] = 0xff;
  std::memcpy(&out[12], &v4, 4);
  return out;
}

}  // namespace

std::optional<Address16> ToAddress16(const sockaddr* address,
                                     socklen_t length) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET &&
      length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    return MappedFromIpv4(
        reinterpret_cast<const sockaddr_in*>(address)->sin_addr);
  }
  if (address->sa_family == AF_INET6 &&
      length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    Address16 out;
    std::memcpy(out.data(),
                &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
    return out;
  }
  return std::nullopt;
}

std::optional<Address16> PeerAddress16(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return std::nullopt;
  }
  return ToAddress16(reinterpret_cast<const sockaddr*>(&address), length);
}

bool Cidr::Contains(const Address16& other) const {
  int whole = bits / 8;
  if (std::memcmp(address.data(), other.data(), whole) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (address[whole] & mask) == (other[whole] & mask);
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  std::string_view host = text;
  std::optional<int> bits;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    host = text.substr(0, slash);
    std::string_view digits = text.substr(slash + 1);
    int value = -1;
    auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() ||
        end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    bits = value;
  }
  std::string host_text(host);
  Cidr cidr;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host_text.c_str(), &v4) == 1) {
    int length = bits.value_or(32);
    if (length < 0 || length > 32) return std::nullopt;
    cidr.address = MappedFromIpv4(v4);
    cidr.bits = kMappedPrefixBits + length;
  } else if (inet_pton(AF_INET6, host_text.c_str(), &v6) == 1) {
    int length = bits.value_or(128);
    if (length < 0 || length > 128) return std::nullopt;
    std::memcpy(cidr.address.data(), &v6, 16);
    cidr.bits = length;
  } else {
    return std::nullopt;
  }
  // No bit may be set past the prefix.
  for (int bit = cidr.bits; bit < 128; ++bit) {
    if (cidr.address[bit / 8] & (0x80 >> (bit % 8))) return std::nullopt;
  }
  return cidr;
}

bool IsLoopback(const Address16& address) {
  static const Cidr kLoopbackV4 = *ParseCidr("127.0.0.0/8");
  static const Cidr kLoopbackV6 = *ParseCidr("::1");
  return kLoopbackV4.Contains(address) || kLoopbackV6.Contains(address);
}

bool SubjectToLimits(const AddressPolicy& policy, const Address16& address) {
  if (IsLoopback(address) && !policy.limit_loopback) return false;
  for (const Cidr& network : policy.exempt) {
    if (network.Contains(address)) return false;
  }
  return true;
}

bool SubjectToLimits(const AddressPolicy& policy,
                     const std::optional<Address16>& address) {
  return address && SubjectToLimits(policy, *address);
}

}  // namespace chat::server
