// Names through protocol::IsValidUsername; addresses through inet_pton and
// back through inet_ntop for the canonical text.
#include "admin/ban_target.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdint>

#include "protocol/text.h"
#include "store/database.h"

namespace chat::admin {

std::optional<BanTarget> ParseBanTarget(std::string_view text) {
  if (protocol::IsValidUsername(text)) {
    return BanTarget{store::BanKind::kName, store::Key(text),
                     std::string(text)};
  }
  size_t slash = text.find('/');
  std::string address(text.substr(0, slash));
  uint8_t bytes[16] = {};
  int family = AF_INET;
  int max_bits = 32;
  if (inet_pton(AF_INET, address.c_str(), bytes) != 1) {
    family = AF_INET6;
    max_bits = 128;
    if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) return std::nullopt;
  }
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    std::string_view number = text.substr(slash + 1);
    auto [end, ec] =
        std::from_chars(number.data(), number.data() + number.size(), bits);
    if (number.empty() || ec != std::errc() ||
        end != number.data() + number.size() || bits < 0 || bits > max_bits) {
      return std::nullopt;
    }
  }
  // No bit set past the prefix.
  for (int bit = bits; bit < max_bits; ++bit) {
    if (bytes[bit / 8] & (0x80 >> (bit % 8))) return std::nullopt;
  }
  char canonical[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family, bytes, canonical, sizeof canonical)) {
    return std::nullopt;
  }
  std::string result = canonical;
  if (bits != max_bits) result += "/" + std::to_string(bits);
  return BanTarget{store::BanKind::kAddress, result, result};
}

}  // namespace chat::admin
