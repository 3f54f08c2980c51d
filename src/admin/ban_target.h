// The target of chat-admin ban and unban: a name (a valid username), or an
// IPv4 or IPv6 address or network, written in one canonical form so that
// "2001:DB8::/32" and "2001:db8::/32" are one ban and unban finds it.
#ifndef CHAT_ADMIN_BAN_TARGET_H_
#define CHAT_ADMIN_BAN_TARGET_H_

#include <optional>
#include <string>
#include <string_view>

#include "store/bans.h"

namespace chat::admin {

struct BanTarget {
  store::BanKind kind = store::BanKind::kName;
  std::string target;  // the name's key, or the canonical address/network
  std::string shown;   // the name as typed, or the canonical address
};

// nullopt when `text` is neither a username nor an address or network
// (including a network with bits set past its prefix, "10.0.0.1/8", which
// the server would not read either).
std::optional<BanTarget> ParseBanTarget(std::string_view text);

}  // namespace chat::admin

#endif  // CHAT_ADMIN_BAN_TARGET_H_
