#include "protocol/decimal.h"

namespace chat::protocol {

std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max) {
  // 19 digits always fit in 64 bits.
  if (text.empty() || text.size() > 19) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

}  // namespace chat::protocol
