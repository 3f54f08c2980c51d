// chat-admin ban, unban, bans, kick and who: the bans table is written here
// (so a ban holds whether the server runs or not), then the running server
// is told over its control socket (store/control.h), which makes the change
// take effect at once; kick and who need the running server.
#include <charconv>
#include <string>

#include "admin/commands.h"
#include "admin/control_client.h"
#include "admin/listing.h"
#include "store/bans.h"

namespace chat::admin {
namespace {

constexpr Column kBanColumns[] = {
    {"kind", "KIND", 8},
    {"target", "TARGET", 40},
    {"created", "CREATED", 24},
    {"until", "UNTIL", 0},
};

constexpr Column kWhoColumns[] = {
    {"name", "NAME", 16},
    {"account", "ACCOUNT", 7},
    {"address", "ADDRESS", 40},
    {"since", "SINCE", 24},
    {"registered", "REGISTERED", 0},
};

std::string Described(const Options& options) {
  return std::string(store::BanKindName(options.ban_kind)) + " " +
         options.ban_shown;
}

// Tells the running server that the bans changed; prints what it did, or
// that it will learn of the change when it starts.
void TellServer(const Options& options, std::FILE* out) {
  std::string error;
  auto answer = AskServer(options.data_dir, "BANS", &error);
  if (!answer) {
    std::fprintf(out,
                 "the server is not running: it applies this when it "
                 "starts\n");
    return;
  }
  if (!answer->starts_with("OK")) {
    Fail("the server: " + *answer);
    return;
  }
  for (size_t at = answer->find(' '); at != std::string::npos;) {
    size_t end = answer->find(' ', at + 1);
    std::fprintf(out, "removed %s from the server (BYE Kicked: banned)\n",
                 answer->substr(at + 1, end - at - 1).c_str());
    at = end;
  }
}

}  // namespace

int Ban(store::Database& db, const Options& options, std::FILE* out) {
  store::Ban ban;
  ban.kind = options.ban_kind;
  ban.target = options.ban_target;
  ban.shown = options.ban_shown;
  ban.created = store::NowMs();
  if (options.for_ms) ban.until = ban.created + *options.for_ms;
  if (!store::PutBan(db, ban)) return Fail("ban: " + db.error());
  std::fprintf(out, "banned %s %s\n", Described(options).c_str(),
               ban.until ? ("until " + store::FormatTime(*ban.until)).c_str()
                         : "for ever");
  TellServer(options, out);
  return kExitOk;
}

int Unban(store::Database& db, const Options& options, std::FILE* out) {
  int64_t removed = store::RemoveBan(db, options.ban_kind, options.ban_target);
  if (removed < 0) return Fail("unban: " + db.error());
  if (removed == 0) return Fail("unban: no ban of " + Described(options));
  std::fprintf(out, "unbanned %s\n", Described(options).c_str());
  TellServer(options, out);
  return kExitOk;
}

int ListBans(store::Database& db, const Options& options, std::FILE* out) {
  Listing listing(out, options.json, kBanColumns);
  for (const store::Ban& ban : store::ActiveBans(db, store::NowMs())) {
    Value values[] = {
        std::string(store::BanKindName(ban.kind)), ban.shown,
        store::FormatTime(ban.created),
        ban.until ? Value(store::FormatTime(*ban.until)) : Value()};
    listing.Row(values);
  }
  return kExitOk;
}

int Kick(const Options& options, std::FILE* out) {
  std::string error;
  auto answer = AskServer(
      options.data_dir, "KICK " + options.name + " " + options.reason, &error);
  if (!answer) return Fail("kick: " + error);
  if (!answer->starts_with("OK ")) {
    return Fail("kick: " + options.name + ": " +
                (answer->starts_with("ERR ") ? answer->substr(4) : *answer));
  }
  std::fprintf(out, "kicked %s (BYE Kicked: %s)\n", answer->substr(3).c_str(),
               options.reason.c_str());
  return kExitOk;
}

int Who(store::Database& db, const Options& options, std::FILE* out) {
  std::string error;
  auto answer = AskServer(options.data_dir, "RUN", &error);
  if (!answer) return Fail("who: " + error);
  if (!answer->starts_with("OK ")) return Fail("who: the server: " + *answer);
  int64_t run = 0;
  const std::string_view number = std::string_view(*answer).substr(3);
  if (std::from_chars(number.data(), number.data() + number.size(), run).ec !=
      std::errc()) {
    return Fail("who: the server: " + *answer);
  }
  // The sessions of this run that have not ended: the live connections the
  // broker reported (the audit log), oldest first.
  store::Statement rows = db.Prepare(
      "SELECT name, account, peer, connected, registered FROM sessions "
      "WHERE run = ?1 AND ended IS NULL AND how IS NULL ORDER BY id");
  rows.Bind(1, run);
  Listing listing(out, options.json, kWhoColumns);
  while (rows.Step()) {
    Value values[] = {TextOrNull(rows, 0), rows.Int(1) != 0, rows.Text(2),
                      TimeOrNull(rows, 3), TimeOrNull(rows, 4)};
    listing.Row(values);
  }
  if (!rows.ok()) return Fail("who: " + db.error());
  return kExitOk;
}

}  // namespace chat::admin
