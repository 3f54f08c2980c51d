// ParseDecimal: the numbers of request lines (sizes, ids, counts, times).
#ifndef CHAT_PROTOCOL_DECIMAL_H_
#define CHAT_PROTOCOL_DECIMAL_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace chat::protocol {

// A decimal number without sign or leading zero ("0" itself allowed), at
// most `max`; nullopt for anything else.
std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max);

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_DECIMAL_H_
