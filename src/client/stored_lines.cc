// Parsing of OFFLINE and HISTORY data lines by hand: each is a few
// space-separated words and a free text, simpler to split than to hand to
// a general parser; times are read with strptime-free digit checks so that
// a malformed time is refused rather than half-read.
#include "client/stored_lines.h"

#include <string.h>

#include <cstdio>

namespace chat::client {
namespace {

// Takes the word before the next space; false when there is no space.
bool TakeWord(std::string_view* rest, std::string_view* word) {
  const size_t space = rest->find(' ');
  if (space == std::string_view::npos || space == 0) return false;
  *word = rest->substr(0, space);
  rest->remove_prefix(space + 1);
  return true;
}

bool ParseId(std::string_view text, uint64_t* id) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value == 0) return false;
  *id = value;
  return true;
}

bool Digits(std::string_view text, size_t at, size_t count, int* value) {
  if (at + count > text.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *value = v;
  return true;
}

std::optional<StoredLine> Parse(std::string_view line, std::string_view verb,
                                bool with_to) {
  if (line.substr(0, verb.size() + 1) != std::string(verb) + " ") return {};
  std::string_view rest = line.substr(verb.size() + 1);
  StoredLine parsed;
  std::string_view id;
  if (!TakeWord(&rest, &id) || !ParseId(id, &parsed.id) ||
      !TakeWord(&rest, &parsed.time) || !ParseUtcTime(parsed.time) ||
      !TakeWord(&rest, &parsed.from) ||
      (with_to && !TakeWord(&rest, &parsed.to))) {
    return {};
  }
  parsed.text = rest;
  return parsed;
}

}  // namespace

std::optional<StoredLine> ParseOffline(std::string_view line) {
  return Parse(line, "OFFLINE", false);
}

std::optional<StoredLine> ParseHistoryData(std::string_view line) {
  return Parse(line, "HISTORY", true);
}

std::optional<std::time_t> ParseUtcTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  tm t{};
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text.back() != 'Z') {
    return {};
  }
  int year, month, day, hour, minute, second;
  if (!Digits(text, 0, 4, &year) || !Digits(text, 5, 2, &month) ||
      !Digits(text, 8, 2, &day) || !Digits(text, 11, 2, &hour) ||
      !Digits(text, 14, 2, &minute) || !Digits(text, 17, 2, &second)) {
    return {};
  }
  const std::string_view fraction = text.substr(19, text.size() - 20);
  if (!fraction.empty()) {
    if (fraction.size() < 2 || fraction[0] != '.') return {};
    int ignored;
    if (!Digits(fraction, 1, fraction.size() - 1, &ignored)) return {};
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return {};
  }
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_sec = second;
  return timegm(&t);
}

std::string FormatStoredTime(std::time_t when, std::time_t now) {
  tm at{}, today{};
  localtime_r(&when, &at);
  localtime_r(&now, &today);
  char buffer[32];
  const bool same_day = at.tm_year == today.tm_year &&
                        at.tm_mon == today.tm_mon &&
                        at.tm_mday == today.tm_mday;
  std::strftime(buffer, sizeof buffer, same_day ? "%H:%M" : "%Y-%m-%d %H:%M",
                &at);
  return buffer;
}

void Wipe(std::string* secret) {
  if (!secret->empty()) explicit_bzero(secret->data(), secret->size());
  secret->clear();
}

}  // namespace chat::client
