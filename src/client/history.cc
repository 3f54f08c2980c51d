// History: a bounded FIFO of messages and the filter behind /history NAME.
#include "client/history.h"

#include "protocol/text.h"

namespace chat::client {

void History::Add(HistoryEntry entry) {
  if (capacity_ == 0) return;
  if (entries_.size() == capacity_) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

std::vector<const HistoryEntry*> History::Select(std::string_view with) const {
  std::vector<const HistoryEntry*> selected;
  for (const HistoryEntry& entry : entries_) {
    const bool involves = entry.kind != HistoryEntry::Kind::kBroadcastOut &&
                          protocol::EqualsIgnoreCase(entry.peer, with);
    if (with.empty() || involves) selected.push_back(&entry);
  }
  return selected;
}

std::string FormatClock(std::time_t when) {
  std::tm local{};
  localtime_r(&when, &local);
  char buffer[16];
  const size_t n = std::strftime(buffer, sizeof buffer, "%H:%M:%S", &local);
  return std::string(buffer, n);
}

}  // namespace chat::client
