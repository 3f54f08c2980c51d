// ReadPasswordFile: reads at most one line (a password is at most 128
// bytes), and warns, as ssh does for keys, when others may read the file.
// A warning rather than a refusal: the file's owner decides, and scripts
// in containers often run with loose modes.
#include "client/password_file.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "client/stored_lines.h"

namespace chat::client {

PasswordFile ReadPasswordFile(const std::string& path) {
  PasswordFile result;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.error =
        "cannot read the password file " + path + ": " + strerror(errno);
    return result;
  }
  struct stat st {};
  if (fstat(fd, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    result.warning = "the password file " + path +
                     " may be read by other users (chmod 600 " + path + ")";
  }
  char buffer[512];
  size_t used = 0;
  while (used < sizeof buffer) {
    const ssize_t n = read(fd, buffer + used, sizeof buffer - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<size_t>(n);
    if (memchr(buffer, '\n', used) != nullptr) break;
  }
  close(fd);
  size_t end = 0;
  while (end < used && buffer[end] != '\n') ++end;
  if (end > 0 && buffer[end - 1] == '\r') --end;
  result.password.assign(buffer, end);
  explicit_bzero(buffer, sizeof buffer);
  if (result.password.empty()) {
    result.error =
        "the password file " + path + " has no password on its " + "first line";
  }
  return result;
}

}  // namespace chat::client
