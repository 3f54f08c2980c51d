// The bans table: one row per (kind, target).
#include "store/bans.h"

namespace chat::store {

std::string_view BanKindName(BanKind kind) {
  return kind == BanKind::kName ? "name" : "address";
}

bool PutBan(Database& db, const Ban& ban) {
  Statement put = db.Prepare(
      "INSERT OR REPLACE INTO bans (kind, target, shown, created, until) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  put.Bind(1, BanKindName(ban.kind))
      .Bind(2, ban.target)
      .Bind(3, ban.shown)
      .Bind(4, ban.created);
  if (ban.until) {
    put.Bind(5, *ban.until);
  } else {
    put.BindNull(5);
  }
  return put.Run();
}

int64_t RemoveBan(Database& db, BanKind kind, std::string_view target) {
  Statement remove =
      db.Prepare("DELETE FROM bans WHERE kind = ?1 AND target = ?2");
  remove.Bind(1, BanKindName(kind)).Bind(2, target);
  if (!remove.Run()) return -1;
  return db.changes();
}

bool NameBanned(Database& db, std::string_view key, int64_t now_ms) {
  Statement found = db.Prepare(
      "SELECT 1 FROM bans WHERE kind = 'name' AND target = ?1 AND "
      "(until IS NULL OR until > ?2)");
  found.Bind(1, key).Bind(2, now_ms);
  return found.Step();
}

std::vector<Ban> ActiveBans(Database& db, int64_t now_ms,
                            std::optional<BanKind> kind) {
  Statement rows = db.Prepare(
      "SELECT kind, target, shown, created, until FROM bans WHERE (until IS "
      "NULL OR until > ?1) AND (?2 IS NULL OR kind = ?2) ORDER BY created, "
      "target");
  rows.Bind(1, now_ms);
  if (kind) {
    rows.Bind(2, BanKindName(*kind));
  } else {
    rows.BindNull(2);
  }
  std::vector<Ban> bans;
  while (rows.Step()) {
    Ban ban;
    ban.kind = rows.Text(0) == "name" ? BanKind::kName : BanKind::kAddress;
    ban.target = rows.Text(1);
    ban.shown = rows.Text(2);
    ban.created = rows.Int(3);
    if (!rows.IsNull(4)) ban.until = rows.Int(4);
    bans.push_back(std::move(ban));
  }
  return bans;
}

}  // namespace chat::store
