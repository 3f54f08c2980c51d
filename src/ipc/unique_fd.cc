// UniqueFd's one out-of-line member: the close.
#include "ipc/unique_fd.h"

#include <unistd.h>

namespace chat::ipc {

void UniqueFd::Reset(int fd) {
  // close() is not retried on EINTR: on Linux the fd is released either way,
  // and a retry could close an fd another thread has just been given.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace chat::ipc
