// The per-address table: an unordered_map from block to counters, and a
// list of the blocks with nothing open, least recently used first, from
// which the oldest is dropped when the table is full. Every operation is
// O(1), so a flood of connections from many addresses costs the broker no
// more per connection than one from a single address.
#include "server/address_limits.h"

#include <algorithm>
#include <cstring>

namespace chat::server {

AddressLimits::AddressLimits(const AddressLimitsConfig& config)
    : config_(config) {
  entries_.reserve(std::min<size_t>(config.capacity, 1024));
}

size_t AddressLimits::Hash::operator()(const Address16& address) const {
  uint64_t high;
  uint64_t low;
  std::memcpy(&high, address.data(), 8);
  std::memcpy(&low, address.data() + 8, 8);
  return std::hash<uint64_t>()(high * 0x9E3779B97F4A7C15ull ^ low);
}

Address16 AddressLimits::BlockOf(const Address16& address) {
  static const Cidr kIpv4Mapped = *ParseCidr("::ffff:0.0.0.0/96");
  if (kIpv4Mapped.Contains(address)) return address;
  Address16 block = address;
  std::fill(block.begin() + 8, block.end(), 0);
  return block;
}

AddressLimits::Entry* AddressLimits::Track(const Address16& block,
                                           Clock::time_point now) {
  auto found = entries_.find(block);
  if (found != entries_.end()) return &found->second;
  if (entries_.size() >= config_.capacity) {
    if (idle_.empty()) return nullptr;
    entries_.erase(idle_.front());
    idle_.pop_front();
  }
  Entry& entry = entries_[block];
  entry.window_start = now;
  entry.idle_position = idle_.insert(idle_.end(), block);
  return &entry;
}

AddressLimits::Verdict AddressLimits::Admit(const Address16& address,
                                            Clock::time_point now) {
  const Address16 block = BlockOf(address);
  Entry* entry = Track(block, now);
  if (entry == nullptr) return Verdict::kTableFull;
  if (entry->penalty_until > now + config_.penalty_threshold) {
    return Verdict::kPenalised;
  }
  if (entry->open >= config_.max_per_address) return Verdict::kTooMany;
  if (now - entry->window_start >= config_.connect_window) {
    entry->window_start = now;
    entry->window_count = 0;
  }
  if (entry->window_count >= config_.connect_count) return Verdict::kTooFast;
  ++entry->window_count;
  if (entry->open++ == 0) idle_.erase(entry->idle_position);
  return Verdict::kAdmit;
}

void AddressLimits::Closed(const Address16& address, bool registered,
                           Clock::time_point now) {
  const Address16 block = BlockOf(address);
  auto found = entries_.find(block);
  // Admitted connections are never forgotten while open.
  if (found == entries_.end() || found->second.open == 0) return;
  Entry& entry = found->second;
  if (!registered) {
    entry.penalty_until =
        std::min(std::max(entry.penalty_until, now) + config_.penalty_step,
                 now + config_.penalty_max);
  }
  if (--entry.open == 0) {
    entry.idle_position = idle_.insert(idle_.end(), block);
  }
}

uint32_t AddressLimits::open(const Address16& address) const {
  auto found = entries_.find(BlockOf(address));
  return found == entries_.end() ? 0 : found->second.open;
}

uint32_t MaxUsersPerAddress(const AddressLimitsConfig& config,
                            uint32_t max_users) {
  if (config.max_users != 0) return config.max_users;
  return std::max<uint32_t>(1, std::min(config.max_per_address, max_users / 2));
}

uint64_t BlockKey(const Address16& address) {
  return AddressLimits::Hash()(AddressLimits::BlockOf(address)) | 1;
}

std::string_view Describe(AddressLimits::Verdict verdict) {
  switch (verdict) {
    case AddressLimits::Verdict::kAdmit:
      return "admitted";
    case AddressLimits::Verdict::kTooMany:
      return "too many connections open";
    case AddressLimits::Verdict::kTooFast:
      return "too many new connections";
    case AddressLimits::Verdict::kPenalised:
      return "penalised for connections that never registered";
    case AddressLimits::Verdict::kTableFull:
      return "too many addresses tracked";
  }
  return "?";
}

}  // namespace chat::server
