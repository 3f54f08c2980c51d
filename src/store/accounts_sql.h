// The SQL of changes to an account that both the store process (for
// UNREGISTER and PASSWORD) and chat-admin (delete, reset-password) make, so
// the two cannot drift apart: what "deleting an account" removes is written
// once, here.
#ifndef CHAT_STORE_ACCOUNTS_SQL_H_
#define CHAT_STORE_ACCOUNTS_SQL_H_

#include <cstdint>
#include <string_view>

#include "store/database.h"

namespace chat::store {

// Deletes the account whose name_key is `key` (Key() of its name), its
// mailbox (ON DELETE CASCADE) and its private history: messages to or from
// it that were not to a room or to everyone. Run inside the caller's
// transaction, so that both go or neither. The number of accounts deleted
// (0 or 1), or -1 on a database error.
int64_t DeleteAccountRows(Database& db, std::string_view key);

// Stores `hash` (a "$argon2id$..." string) as the password hash of the
// account `key`. The number of accounts changed (0 or 1), or -1 on a
// database error.
int64_t SetAccountHash(Database& db, std::string_view key,
                       std::string_view hash);

}  // namespace chat::store

#endif  // CHAT_STORE_ACCOUNTS_SQL_H_
