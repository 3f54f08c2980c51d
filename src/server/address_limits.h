// AddressLimits: the broker's per-address connection limits (PROTOCOL.md
// "Limits that protect everyone"), decided at accept, before a worker is
// started:
// - at most max_per_address connections open at once from one address;
// - at most connect_count new connections from one address per
//   connect_window;
// - a connection that ends without ever registering costs its address
//   penalty_step, as OpenSSH's PerSourcePenalties do: penalties add up (to
//   at most penalty_max ahead), and once more than penalty_threshold is
//   owed the address is refused until it is no longer.
// IPv6 addresses are counted per /64, the block one host or one LAN gets;
// IPv4 ones per address. At most `capacity` addresses are tracked: when the
// table is full, the address idle longest (no connection open) is forgotten
// first, so memory stays bounded whatever the number of addresses. The
// caller decides which addresses are limited at all (address_policy.h).
#ifndef CHAT_SERVER_ADDRESS_LIMITS_H_
#define CHAT_SERVER_ADDRESS_LIMITS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <string_view>
#include <unordered_map>

#include "server/address_policy.h"

namespace chat::server {

struct AddressLimitsConfig {
  uint32_t max_per_address = 16;  // --max-per-address
  uint32_t connect_count = 32;    // --connect-rate COUNT/SECONDS
  std::chrono::seconds connect_window{10};
  std::chrono::seconds penalty_step{2};
  std::chrono::seconds penalty_threshold{10};
  std::chrono::seconds penalty_max{300};
  size_t capacity = 65536;
  // --max-users-per-address; 0: MaxUsersPerAddress's default.
  uint32_t max_users = 0;
};

// Names one address (IPv6: one /64) may have registered at once: the
// option, or by default half of --max-users, at most --max-per-address, at
// least 1 (5 with the defaults; 16 on a large server).
uint32_t MaxUsersPerAddress(const AddressLimitsConfig& config,
                            uint32_t max_users);

// A non-zero number naming the block `address` is counted in (BlockOf),
// for the registry's per-address cap (ipc::JoinLimit::group).
uint64_t BlockKey(const Address16& address);

class AddressLimits {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Verdict {
    kAdmit,
    kTooMany,    // max_per_address open
    kTooFast,    // connect_count in this window
    kPenalised,  // too many connections ended unregistered
    kTableFull,  // every tracked address has a connection open
  };

  explicit AddressLimits(const AddressLimitsConfig& config);

  // A new connection from `address`: counted and kAdmit, or refused.
  Verdict Admit(const Address16& address, Clock::time_point now);
  // An admitted connection ended; `registered` if it ever registered.
  void Closed(const Address16& address, bool registered, Clock::time_point now);

  size_t tracked() const { return entries_.size(); }
  // Connections open from the block `address` belongs to.
  uint32_t open(const Address16& address) const;

  // The block an address is counted in: the /64 of an IPv6 address, the
  // whole of an IPv4 (or IPv4-mapped) one.
  static Address16 BlockOf(const Address16& address);

  struct Hash {
    size_t operator()(const Address16& address) const;
  };

 private:
  struct Entry {
    uint32_t open = 0;
    uint32_t window_count = 0;
    Clock::time_point window_start;
    Clock::time_point penalty_until;
    // Its place among the idle entries (open == 0), oldest first.
    std::list<Address16>::iterator idle_position;
  };

  Entry* Track(const Address16& block, Clock::time_point now);

  const AddressLimitsConfig config_;
  std::unordered_map<Address16, Entry, Hash> entries_;
  std::list<Address16> idle_;  // blocks with nothing open, least recent first
};

// As the status log says a refusal's reason: "16 connections open",
// "too many new connections", ...
std::string_view Describe(AddressLimits::Verdict verdict);

}  // namespace chat::server

#endif  // CHAT_SERVER_ADDRESS_LIMITS_H_
