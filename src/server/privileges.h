// --user NAME: a server started as root gives up root once its listeners
// are bound (and its TLS key read), before the data directory is opened and
// before any child exists, so the spawner, the store and every worker run
// as NAME too.
#ifndef CHAT_SERVER_PRIVILEGES_H_
#define CHAT_SERVER_PRIVILEGES_H_

#include <sys/types.h>

#include <optional>
#include <string>

namespace chat::server {

struct RunAs {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Looks NAME up; nullopt with *error set if the process is not root (only
// root can become another user) or there is no such user.
std::optional<RunAs> FindRunAs(const std::string& name, std::string* error);

// As root, before the drop: the data directory is created for the user if
// it is missing; one that exists must already belong to the user (nothing
// is chowned behind the operator's back). False with *error set.
bool PrepareDataDirFor(const RunAs& user, const std::string& dir,
                       std::string* error);

// setgroups (the user's own group only), setgid, setuid; then checks that
// root cannot be regained. False with *error set.
bool DropPrivileges(const RunAs& user, std::string* error);

}  // namespace chat::server

#endif  // CHAT_SERVER_PRIVILEGES_H_
