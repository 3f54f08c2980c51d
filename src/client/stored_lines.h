// Reading the lines the server sends from its store: OFFLINE pushes and
// HISTORY data lines (PROTOCOL.md "Offline delivery", "History"), and the
// times they carry, shown the way a person reads them.
#ifndef CHAT_CLIENT_STORED_LINES_H_
#define CHAT_CLIENT_STORED_LINES_H_

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace chat::client {

// Views into the line; valid as long as the line is.
struct StoredLine {
  uint64_t id = 0;
  std::string_view time;  // RFC 3339 UTC, as sent
  std::string_view from;
  std::string_view to;  // HISTORY only: a username, a room or "*"
  std::string_view text;
};

// "OFFLINE <id> <time> <from> <text>"; nullopt for any other shape.
std::optional<StoredLine> ParseOffline(std::string_view line);
// "HISTORY <id> <time> <from> <to> <text>"; nullopt for any other shape
// (a HISTORY line is the server's only, so a request never matches).
std::optional<StoredLine> ParseHistoryData(std::string_view line);

// "2026-12-04T13:05:03.818Z" (fraction optional) as a time; nullopt when
// it is not one.
std::optional<std::time_t> ParseUtcTime(std::string_view text);

// `when` in local time: "13:05" on the day of `now`, "2026-12-04 13:05"
// otherwise.
std::string FormatStoredTime(std::time_t when, std::time_t now);

// Erases a string that held a password (explicit_bzero: the compiler may
// not drop it) and empties it.
void Wipe(std::string* secret);

}  // namespace chat::client

#endif  // CHAT_CLIENT_STORED_LINES_H_
