// Opening the database: the directory and file are checked first so that
// the error says which is missing, then SQLite opens it without create.
#include "admin/database_file.h"

#include <errno.h>
#include <sys/stat.h>

#include <cstring>

namespace chat::admin {

std::optional<store::Database> OpenDatabase(const std::string& data_dir,
                                            std::string* error) {
  struct stat info {};
  if (stat(data_dir.c_str(), &info) != 0) {
    *error = data_dir + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISDIR(info.st_mode)) {
    *error = data_dir + ": not a directory";
    return std::nullopt;
  }
  const std::string path = data_dir + "/" + std::string(store::kDatabaseFile);
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) {
      *error = "no database in " + data_dir + " (no " +
               std::string(store::kDatabaseFile) +
               "): give the server's --data-dir";
    } else {
      *error = path + ": " + std::strerror(errno);
    }
    return std::nullopt;
  }
  return store::Database::Open(path, /*create=*/false, error);
}

}  // namespace chat::admin
