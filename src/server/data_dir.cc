// The data directory's lock.
#include "server/data_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/log.h"

namespace chat::server {

std::optional<ipc::UniqueFd> LockDataDir(const std::string& dir,
                                         std::string* error) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = ErrnoText("data directory " + dir, errno);
    return std::nullopt;
  }
  std::string path = dir + "/" + kLockFile;
  ipc::UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) {
    *error = ErrnoText(path, errno);
    return std::nullopt;
  }
  // flock, not fcntl: fcntl locks are per process and SQLite's own would
  // interfere; a flock belongs to this open file and dies with the process.
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    *error = errno == EWOULDBLOCK
                 ? "the data directory " + dir +
                       " is in use by another chat-server (" + path +
                       " is locked); give each server its own --data-dir"
                 : ErrnoText("lock " + path, errno);
    return std::nullopt;
  }
  // The holder's pid, for an operator wondering who has it.
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd.get(), 0) == 0) {
    (void)!write(fd.get(), pid.data(), pid.size());
  }
  return fd;
}

}  // namespace chat::server
