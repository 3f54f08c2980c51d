// History: the conversation of this session (messages sent and received,
// with their times) that /history and /history NAME print again.
#ifndef CHAT_CLIENT_HISTORY_H_
#define CHAT_CLIENT_HISTORY_H_

#include <cstddef>
#include <ctime>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace chat::client {

struct HistoryEntry {
  enum class Kind { kPrivateIn, kPrivateOut, kBroadcastIn, kBroadcastOut };
  std::time_t when = 0;
  Kind kind = Kind::kBroadcastIn;
  std::string peer;  // the other party; for kBroadcastOut, the sender (us)
  std::string text;
};

class History {
 public:
  // A long session keeps only its last `capacity` messages, so memory stays
  // bounded however long the client runs.
  explicit History(size_t capacity = 10000) : capacity_(capacity) {}

  void Add(HistoryEntry entry);

  // Every entry when `with` is empty; otherwise the private messages
  // exchanged with `with` and the broadcasts `with` sent (names compare
  // without regard to case, as the server's do).
  std::vector<const HistoryEntry*> Select(std::string_view with) const;

  size_t size() const { return entries_.size(); }

 private:
  size_t capacity_;
  std::deque<HistoryEntry> entries_;
};

// "HH:MM:SS" in local time.
std::string FormatClock(std::time_t when);

}  // namespace chat::client

#endif  // CHAT_CLIENT_HISTORY_H_
