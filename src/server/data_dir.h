// The data directory: created if missing, and locked for the life of the
// server (flock on chat-server.lock), so that a second server started on
// the same directory refuses to start instead of sharing the database.
#ifndef CHAT_SERVER_DATA_DIR_H_
#define CHAT_SERVER_DATA_DIR_H_

#include <optional>
#include <string>

#include "ipc/unique_fd.h"

namespace chat::server {

inline constexpr char kLockFile[] = "chat-server.lock";

// The lock's fd (held until the process exits; close-on-exec, and closed in
// every child), or nullopt with *error saying why.
std::optional<ipc::UniqueFd> LockDataDir(const std::string& dir,
                                         std::string* error);

}  // namespace chat::server

#endif  // CHAT_SERVER_DATA_DIR_H_
