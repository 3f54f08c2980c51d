// The database schema as numbered migrations: migration N takes a database
// at version N-1 to version N (kept in PRAGMA user_version). A migration is
// never edited once released; a change to the schema is a new one appended
// here, so a database of any earlier version can be brought up to date.
#ifndef CHAT_STORE_SCHEMA_H_
#define CHAT_STORE_SCHEMA_H_

#include <span>
#include <string_view>

namespace chat::store {

// The migrations in order; the schema version is their count.
std::span<const std::string_view> Migrations();

}  // namespace chat::store

#endif  // CHAT_STORE_SCHEMA_H_
