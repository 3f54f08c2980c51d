// --flood's value: parsing and printing.
#include "server/flood.h"

#include <charconv>
#include <cstdio>

namespace chat::server {

bool ParseFlood(std::string_view text, std::optional<FloodLimit>* limit,
                std::string* error) {
  if (text == "off") {
    *limit = std::nullopt;
    return true;
  }
  const size_t colon = text.find(':');
  uint32_t burst = 0;
  double rate = 0.0;
  bool good = colon != std::string_view::npos;
  if (good) {
    const char* end = text.data() + colon;
    auto [at, failed] = std::from_chars(text.data(), end, burst);
    good = failed == std::errc() && at == end;
  }
  if (good) {
    const char* begin = text.data() + colon + 1;
    const char* end = text.data() + text.size();
    auto [at, failed] =
        std::from_chars(begin, end, rate, std::chars_format::fixed);
    good = failed == std::errc() && at == end && begin != end;
  }
  if (!good || burst < 1 || burst > 100000 || !(rate >= 0.01) ||
      rate > 100000) {
    *error =
        "--flood: expected BURST:RATE (lines, 1 to 100000; lines per "
        "second, 0.01 to 100000) or off, not \"" +
        std::string(text) + "\"";
    return false;
  }
  *limit = FloodLimit{burst, rate};
  return true;
}

std::string FloodText(const std::optional<FloodLimit>& limit) {
  if (!limit) return "off";
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", limit->per_second);
  return std::to_string(limit->burst) + ":" + rate;
}

}  // namespace chat::server
