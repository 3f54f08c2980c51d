// --user NAME; see privileges.h.
#include "server/privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "server/log.h"

namespace chat::server {

std::optional<RunAs> FindRunAs(const std::string& name, std::string* error) {
  if (geteuid() != 0) {
    *error = "--user " + name +
             " needs the server started as root (it runs "
             "as uid " +
             std::to_string(geteuid()) +
             "); without root, start it as that user instead";
    return std::nullopt;
  }
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  int result =
      getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (found == nullptr) {
    *error = result != 0 ? ErrnoText("--user " + name, result)
                         : "--user " + name + ": no such user";
    return std::nullopt;
  }
  if (found->pw_uid == 0) {
    *error = "--user " + name + " is root; name an unprivileged user";
    return std::nullopt;
  }
  return RunAs{name, found->pw_uid, found->pw_gid};
}

bool PrepareDataDirFor(const RunAs& user, const std::string& dir,
                       std::string* error) {
  struct stat status {};
  if (stat(dir.c_str(), &status) != 0) {
    if (errno != ENOENT) {
      *error = ErrnoText("data directory " + dir, errno);
      return false;
    }
    if (mkdir(dir.c_str(), 0700) != 0 ||
        chown(dir.c_str(), user.uid, user.gid) != 0) {
      *error = ErrnoText("data directory " + dir, errno);
      return false;
    }
    return true;
  }
  if (status.st_uid != user.uid) {
    *error = "the data directory " + dir + " belongs to uid " +
             std::to_string(status.st_uid) + ", not to " + user.name +
             " (uid " + std::to_string(user.uid) +
             ") that --user runs the server as; chown -R " + user.name +
             " it, or give another --data-dir";
    return false;
  }
  return true;
}

bool DropPrivileges(const RunAs& user, std::string* error) {
  // Group first: once the uid is not root, the group can no longer change.
  if (setgroups(1, &user.gid) != 0) {
    *error = ErrnoText("setgroups", errno);
    return false;
  }
  if (setgid(user.gid) != 0) {
    *error = ErrnoText("setgid", errno);
    return false;
  }
  if (setuid(user.uid) != 0) {
    *error = ErrnoText("setuid", errno);
    return false;
  }
  if (setuid(0) == 0 || geteuid() == 0) {
    *error =
        "root could be regained after setuid(" + std::to_string(user.uid) + ")";
    return false;
  }
  return true;
}

}  // namespace chat::server
