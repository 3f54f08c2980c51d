// WorkerTable: index allocation, pid lookup and the registered set.
#include "server/worker_table.h"

#include <cstdio>
#include <cstdlib>

namespace chat::server {
namespace {

std::string Folded(std::string_view name) {
  std::string folded(name);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

[[noreturn]] void Bug(const char* what) {
  std::fprintf(stderr, "server: worker table: %s\n", what);
  std::abort();
}

}  // namespace

WorkerTable::WorkerTable(uint32_t capacity)
    : entries_(capacity), generations_(capacity, 0) {
  free_.reserve(capacity);
  for (uint32_t i = capacity; i > 0; --i) free_.push_back(i - 1);
}

std::optional<uint32_t> WorkerTable::Allocate() {
  if (free_.empty()) return std::nullopt;
  uint32_t index = free_.back();
  free_.pop_back();
  WorkerEntry& entry = entries_[index];
  entry = WorkerEntry{};
  entry.in_use = true;
  entry.id = ipc::WorkerId{index, ++generations_[index]};
  ++live_;
  return index;
}

void WorkerTable::Free(uint32_t index) {
  WorkerEntry& entry = entries_[index];
  if (!entry.in_use) Bug("freeing a free entry");
  if (entry.registered) Unregister(index);
  if (entry.pid > 0) by_pid_.erase(entry.pid);
  entry = WorkerEntry{};
  free_.push_back(index);
  --live_;
}

WorkerEntry* WorkerTable::Find(ipc::WorkerId id) {
  if (id.connection >= entries_.size()) return nullptr;
  WorkerEntry& entry = entries_[id.connection];
  if (!entry.in_use || !(entry.id == id)) return nullptr;
  return &entry;
}

std::optional<uint32_t> WorkerTable::IndexOfPid(pid_t pid) const {
  auto found = by_pid_.find(pid);
  if (found == by_pid_.end()) return std::nullopt;
  return found->second;
}

void WorkerTable::SetPid(uint32_t index, pid_t pid) {
  entries_[index].pid = pid;
  by_pid_[pid] = index;
}

void WorkerTable::Register(uint32_t index, std::string name) {
  WorkerEntry& entry = entries_[index];
  if (entry.registered) Bug("registering a registered worker");
  entry.registered = true;
  entry.ever_registered = true;
  entry.registered_position = registered_.size();
  registered_.push_back(index);
  by_name_[Folded(name)] = index;
  entry.name = std::move(name);
}

void WorkerTable::Unregister(uint32_t index) {
  WorkerEntry& entry = entries_[index];
  if (!entry.registered) return;
  // Swap-remove: order in the set does not matter, O(1) does.
  size_t position = entry.registered_position;
  uint32_t last = registered_.back();
  registered_[position] = last;
  entries_[last].registered_position = position;
  registered_.pop_back();
  auto found = by_name_.find(Folded(entry.name));
  if (found != by_name_.end() && found->second == index) by_name_.erase(found);
  entry.registered = false;
}

std::optional<uint32_t> WorkerTable::FindRegistered(
    std::string_view name) const {
  auto found = by_name_.find(Folded(name));
  if (found == by_name_.end()) return std::nullopt;
  return found->second;
}

}  // namespace chat::server
