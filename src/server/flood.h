// Flood control (chat-server(1) --flood): each connection subject to the
// limits (address_policy.h) reads its client through a TokenBucket of
// lines. Past the burst, lines already read wait in the line assembler and
// the socket is not read until a line's worth of budget has come back, so
// the kernel's receive buffer fills and TCP pushes back on the sender:
// nothing is dropped, and only the flooder waits.
//
// Costs: every line is one; a request whose answer is big (LIST, ROOMS,
// HISTORY, a room's LIST, CHATS) also costs one line per KiB of its answer,
// charged when the answer is made, as ngircd's penalties make LIST dearer
// than PRIVMSG. A plain LIST of 985 users (32 KiB) costs 33 lines, so a
// LIST flood is held to one answer every few seconds while a LIST of a
// small server costs one.
//
// File data has a budget of its own, in bytes: FILE DATA and FILE ACK lines
// (thousands of them per file) cost nothing of the line budget and their
// length of a second TokenBucket, so that a transfer neither eats a user's
// line budget (at 5 lines a second a file would crawl at 15 KB/s) nor
// escapes a limit of its own. The socket is read only while both budgets
// have something left.
#ifndef CHAT_SERVER_FLOOD_H_
#define CHAT_SERVER_FLOOD_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::server {

struct FloodLimit {
  uint32_t burst = 0;       // lines taken at once before the rate applies
  double per_second = 0.0;  // lines per second after it

  bool operator==(const FloodLimit&) const = default;
};

// The default, 20:5: twenty lines pasted at once go through untouched, and
// five lines a second is faster than anyone types (a fast typist sends a
// line every few seconds) yet holds a flooder to a few hundred bytes a
// second. A client reconnecting in several rooms (JOIN, LIST, CHATS, then
// JOIN and LIST of each room) stays within the burst.
inline constexpr FloodLimit kDefaultFlood{20, 5.0};

// Extra cost of an answer: one line per this many bytes of it.
inline constexpr size_t kFloodAnswerBytesPerLine = 1024;

// File data's budget: a transfer's whole window (256 KiB of data, about
// 342 KiB of Base64 lines) may come at once, then 16 MiB of lines a second,
// more than one transfer through this server reaches here (chat-bench file)
// and few enough that a client cannot make its worker decode data at any
// rate it likes.
inline constexpr double kFileFloodBurstBytes = 512 * 1024;
inline constexpr double kFileFloodBytesPerSecond = 16 * 1024 * 1024;

// Whether `line` is file data (FILE DATA or FILE ACK), which is charged to
// the file budget by its length instead of to the line budget.
inline bool IsFileDataLine(std::string_view line) {
  return line.starts_with("FILE DATA ") || line.starts_with("FILE ACK ");
}

// "BURST:RATE" (1 to 100000 lines, 0.01 to 100000 lines per second) or
// "off" (nullopt in *limit). False, with *error set, for anything else.
bool ParseFlood(std::string_view text, std::optional<FloodLimit>* limit,
                std::string* error);

// "20:5", "off": how --help shows the value.
std::string FloodText(const std::optional<FloodLimit>& limit);

}  // namespace chat::server

#endif  // CHAT_SERVER_FLOOD_H_
