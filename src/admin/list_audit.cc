// chat-admin sessions and failed-logins: the audit log, oldest first,
// optionally since a time and for one name (without regard to case, as
// names are unique).
#include "admin/commands.h"
#include "admin/listing.h"

namespace chat::admin {
namespace {

constexpr Column kSessionColumns[] = {
    {"id", "ID", 6},
    {"connected", "CONNECTED", 24},
    {"registered", "REGISTERED", 24},
    {"ended", "ENDED", 24},
    {"name", "NAME", 16},
    {"account", "ACCOUNT", 7},
    {"peer", "PEER", 21},
    {"pid", "PID", 7},
    {"how", "HOW", 0},
};

constexpr Column kFailureColumns[] = {
    {"time", "TIME", 24},
    {"name", "NAME", 16},
    {"address", "ADDRESS", 0},
};

// Binds ?1 to the --since time and ?2 to the --name key, or NULL for
// "any".
void BindFilters(store::Statement& statement, const Options& options) {
  if (options.since) {
    statement.Bind(1, *options.since);
  } else {
    statement.BindNull(1);
  }
  if (!options.name.empty()) {
    statement.Bind(2, store::Key(options.name));
  } else {
    statement.BindNull(2);
  }
}

}  // namespace

int ListSessions(store::Database& db, const Options& options, std::FILE* out) {
  // Since TIME: every session that was open at some moment since then:
  // connected since, ended since, or not ended at all (and not closed as
  // of unknown end after the server was killed).
  store::Statement rows = db.Prepare(
      "SELECT id, connected, registered, ended, name, account, peer, pid, "
      "how FROM sessions WHERE (?1 IS NULL OR connected >= ?1 OR ended >= ?1 "
      "OR (ended IS NULL AND how IS NULL)) AND (?2 IS NULL OR lower(name) = "
      "?2) ORDER BY id");
  BindFilters(rows, options);
  Listing listing(out, options.json, kSessionColumns);
  while (rows.Step()) {
    Value values[] = {
        rows.Int(0),         TimeOrNull(rows, 1), TimeOrNull(rows, 2),
        TimeOrNull(rows, 3), TextOrNull(rows, 4), rows.Int(5) != 0,
        rows.Text(6),        rows.Int(7),         TextOrNull(rows, 8)};
    listing.Row(values);
  }
  if (!rows.ok()) return Fail("sessions: " + db.error());
  return kExitOk;
}

int ListFailedLogins(store::Database& db, const Options& options,
                     std::FILE* out) {
  store::Statement rows = db.Prepare(
      "SELECT time, name, address FROM login_failures WHERE (?1 IS NULL OR "
      "time >= ?1) AND (?2 IS NULL OR name_key = ?2) ORDER BY id");
  BindFilters(rows, options);
  Listing listing(out, options.json, kFailureColumns);
  while (rows.Step()) {
    Value values[] = {TimeOrNull(rows, 0), rows.Text(1), rows.Text(2)};
    listing.Row(values);
  }
  if (!rows.ok()) return Fail("failed-logins: " + db.error());
  return kExitOk;
}

}  // namespace chat::admin
