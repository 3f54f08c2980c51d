// Moderation in the broker: the address bans in force, as the store sent
// them (kBanList, store/moderation.h), checked for every accepted
// connection before a worker is started; and the kicks the operator asks
// for (kKick). A new list also removes, at once, every connection from an
// address it bans (BYE Kicked: banned).
//
// The list lives in memory and is matched by a linear scan per accepted
// connection: an operator's bans number in the tens or hundreds, and a scan
// of those costs less than the accept itself.
#ifndef CHAT_SERVER_MODERATION_H_
#define CHAT_SERVER_MODERATION_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "ipc/channel.h"
#include "server/address_policy.h"
#include "server/log.h"
#include "server/relay.h"
#include "server/worker_table.h"

namespace chat::server {

class Moderation {
 public:
  Moderation(WorkerTable& table, Relay& relay, const Log& log)
      : table_(table), relay_(relay), log_(log) {}

  // A kBanList or kKick frame from the store.
  void OnFrame(const ipc::FrameView& frame);
  // Whether `address` is banned now.
  bool Banned(const std::optional<Address16>& address) const;
  size_t ban_count() const { return bans_.size(); }

 private:
  struct Ban {
    Cidr network;
    std::optional<int64_t> until;  // ms since the epoch
  };
  void OnBanList(const ipc::FrameView& frame);
  void OnKick(const ipc::FrameView& frame);
  void Kick(uint32_t index, std::string_view reason);

  WorkerTable& table_;
  Relay& relay_;
  const Log& log_;
  std::vector<Ban> bans_;
  std::vector<Ban> incoming_;  // a list arriving in several frames
};

}  // namespace chat::server

#endif  // CHAT_SERVER_MODERATION_H_
