// The operator's bans (schema version 3, table bans), read and written by
// chat-admin and read by the store process: whether a name is banned now
// (JOIN, REGISTER, LOGIN are refused with ERR Banned), and the address bans
// in force, which the store hands to the broker (it refuses those
// connections before starting a worker).
#ifndef CHAT_STORE_BANS_H_
#define CHAT_STORE_BANS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.h"

namespace chat::store {

enum class BanKind { kName, kAddress };

std::string_view BanKindName(BanKind kind);  // "name", "address"

struct Ban {
  BanKind kind = BanKind::kName;
  std::string target;  // a name's key, or the address or network as text
  std::string shown;   // as the operator wrote it (a name's spelling)
  int64_t created = 0;
  std::optional<int64_t> until;  // ms since the epoch; none: for ever
};

// Adds or replaces the ban of (kind, target); false on a database error.
bool PutBan(Database& db, const Ban& ban);
// Removes it; the number of rows removed (0 or 1), or -1 on an error.
int64_t RemoveBan(Database& db, BanKind kind, std::string_view target);
// Whether the name `key` (store::Key) is banned at `now_ms`.
bool NameBanned(Database& db, std::string_view key, int64_t now_ms);
// The bans in force at `now_ms` (expired ones are not listed), oldest first;
// only those of `kind` if given.
std::vector<Ban> ActiveBans(Database& db, int64_t now_ms,
                            std::optional<BanKind> kind = std::nullopt);

}  // namespace chat::store

#endif  // CHAT_STORE_BANS_H_
