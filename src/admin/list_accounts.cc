// chat-admin accounts: every account, in name order.
#include "admin/commands.h"
#include "admin/listing.h"

namespace chat::admin {
namespace {

constexpr Column kColumns[] = {
    {"name", "NAME", 16},
    {"created", "CREATED", 24},
    {"last_login", "LAST LOGIN", 0},
};

}  // namespace

int ListAccounts(store::Database& db, const Options& options, std::FILE* out) {
  store::Statement rows = db.Prepare(
      "SELECT name, created, last_login FROM accounts ORDER BY name_key");
  Listing listing(out, options.json, kColumns);
  while (rows.Step()) {
    Value values[] = {rows.Text(0), TimeOrNull(rows, 1), TimeOrNull(rows, 2)};
    listing.Row(values);
  }
  if (!rows.ok()) return Fail("accounts: " + db.error());
  return kExitOk;
}

}  // namespace chat::admin
