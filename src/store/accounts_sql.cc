// The shared SQL of account deletion and password changes.
#include "store/accounts_sql.h"

namespace chat::store {

int64_t DeleteAccountRows(Database& db, std::string_view key) {
  Statement history = db.Prepare(
      "DELETE FROM messages WHERE (sender_key = ?1 OR recipient_key = ?1) "
      "AND recipient_key != '*' AND recipient_key NOT LIKE '#%'");
  if (!history.Bind(1, key).Run()) return -1;
  Statement contacts =
      db.Prepare("DELETE FROM contacts WHERE a_key = ?1 OR b_key = ?1");
  if (!contacts.Bind(1, key).Run()) return -1;
  // The mailbox goes with the account row (ON DELETE CASCADE).
  Statement account = db.Prepare("DELETE FROM accounts WHERE name_key = ?1");
  if (!account.Bind(1, key).Run()) return -1;
  return db.changes();
}

int64_t SetAccountHash(Database& db, std::string_view key,
                       std::string_view hash) {
  Statement statement =
      db.Prepare("UPDATE accounts SET hash = ?2 WHERE name_key = ?1");
  if (!statement.Bind(1, key).Bind(2, hash).Run()) return -1;
  return db.changes();
}

}  // namespace chat::store
