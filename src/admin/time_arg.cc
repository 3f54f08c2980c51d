// Parsing --since: spans here; absolute times through store::ParseTime,
// with the milliseconds the listings print taken off first (ParseTime
// reads whole seconds).
#include "admin/time_arg.h"

#include <cctype>
#include <charconv>
#include <string>

#include "store/database.h"

namespace chat::admin {
namespace {

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::optional<int64_t> ParseSpan(std::string_view text, int64_t now_ms) {
  if (text.size() < 2) return std::nullopt;
  int64_t unit_ms = 0;
  switch (text.back()) {
    case 's':
      unit_ms = 1000;
      break;
    case 'm':
      unit_ms = 60'000;
      break;
    case 'h':
      unit_ms = 3'600'000;
      break;
    case 'd':
      unit_ms = 86'400'000;
      break;
    default:
      return std::nullopt;
  }
  std::string_view number = text.substr(0, text.size() - 1);
  if (!AllDigits(number) || number.size() > 9) return std::nullopt;
  int64_t count = 0;
  std::from_chars(number.data(), number.data() + number.size(), count);
  return now_ms - count * unit_ms;
}

}  // namespace

std::optional<int64_t> ParseDurationMs(std::string_view text) {
  auto before = ParseSpan(text, 0);
  if (!before || *before == 0) return std::nullopt;
  return -*before;
}

std::optional<int64_t> ParseTimeArg(std::string_view text, int64_t now_ms) {
  if (auto span = ParseSpan(text, now_ms)) return span;
  // "...:03.818Z" or "...:03.818": the fraction is read here, the rest by
  // ParseTime.
  std::string whole(text);
  int64_t fraction_ms = 0;
  if (!whole.empty() && whole.back() == 'Z') whole.pop_back();
  size_t dot = whole.rfind('.');
  size_t colon = whole.rfind(':');
  if (dot != std::string::npos && colon != std::string::npos && colon < dot &&
      whole.size() - dot == 4 &&
      AllDigits(std::string_view(whole).substr(dot + 1))) {
    fraction_ms = std::stoi(whole.substr(dot + 1));
    whole.resize(dot);
  } else if (dot != std::string::npos) {
    return std::nullopt;
  }
  auto seconds = store::ParseTime(whole);
  if (!seconds) return std::nullopt;
  return *seconds + fraction_ms;
}

}  // namespace chat::admin
