// Opening the server's database from chat-admin: the existing
// chat-server.db of a data directory, never a new one (a mistyped
// --data-dir must not leave an empty database behind), and never the
// server's lock file: SQLite's WAL mode and busy timeout let chat-admin
// read and write while the server runs.
#ifndef CHAT_ADMIN_DATABASE_FILE_H_
#define CHAT_ADMIN_DATABASE_FILE_H_

#include <optional>
#include <string>

#include "store/database.h"

namespace chat::admin {

// The database of `data_dir`, or nullopt with *error saying why.
std::optional<store::Database> OpenDatabase(const std::string& data_dir,
                                            std::string* error);

}  // namespace chat::admin

#endif  // CHAT_ADMIN_DATABASE_FILE_H_
