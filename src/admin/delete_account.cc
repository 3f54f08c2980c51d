// chat-admin delete NAME: the account, its waiting messages and its private
// history, in one transaction, with the same SQL as the server's UNREGISTER
// (store/accounts_sql.h). A session logged in to the account at the time
// stays connected as a user without an account.
#include <string>

#include "admin/commands.h"
#include "store/accounts_sql.h"

namespace chat::admin {

int DeleteAccount(store::Database& db, const Options& options, std::FILE* out) {
  const std::string key = store::Key(options.name);
  // IMMEDIATE: the write lock now, waiting (busy timeout) for the server's
  // current transaction, so that what is counted is what is deleted.
  if (!db.Exec("BEGIN IMMEDIATE")) return Fail("delete: " + db.error());
  std::string name;
  int64_t waiting = 0;
  {
    store::Statement account = db.Prepare(
        "SELECT a.name, (SELECT count(*) FROM mailbox m WHERE m.account_id = "
        "a.id) FROM accounts a WHERE a.name_key = ?1");
    account.Bind(1, key);
    if (!account.Step()) {
      std::string error = account.ok() ? "" : db.error();
      db.Exec("ROLLBACK");
      if (!error.empty()) return Fail("delete: " + error);
      return Fail("delete: no such account: " + options.name);
    }
    name = account.Text(0);
    waiting = account.Int(1);
  }  // finalized before the deletes
  if (store::DeleteAccountRows(db, key) != 1 || !db.Exec("COMMIT")) {
    std::string error = db.error();
    db.Exec("ROLLBACK");
    return Fail("delete: " + error);
  }
  std::fprintf(out, "deleted account %s (%lld waiting message%s)\n",
               name.c_str(), static_cast<long long>(waiting),
               waiting == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace chat::admin
