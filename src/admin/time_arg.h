// The TIME of --since: an absolute UTC time in the forms the listings print
// or shorter ones, or a span back from now ("90m", "2h", "7d").
#ifndef CHAT_ADMIN_TIME_ARG_H_
#define CHAT_ADMIN_TIME_ARG_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace chat::admin {

// Milliseconds since the Unix epoch for `text`, given the time `now_ms`;
// nullopt if it is none of the accepted forms:
//   2026-12-04T13:05:03.818Z (as printed), 2026-12-04T13:05:03Z,
//   2026-12-04 13:05:03, 2026-12-04T13:05, 2026-12-04 (all UTC);
//   N followed by s, m, h or d: that long before now.
std::optional<int64_t> ParseTimeArg(std::string_view text, int64_t now_ms);

// The length of a span in milliseconds ("90m", "2h", "7d", "30s": as
// above), for ban --for; nullopt for anything else or a zero span.
std::optional<int64_t> ParseDurationMs(std::string_view text);

}  // namespace chat::admin

#endif  // CHAT_ADMIN_TIME_ARG_H_
