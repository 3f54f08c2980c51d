// --password-file: the first line of a file as the account's password, for
// scripts (a password is never taken from the command line, where ps shows
// it to everyone).
#ifndef CHAT_CLIENT_PASSWORD_FILE_H_
#define CHAT_CLIENT_PASSWORD_FILE_H_

#include <string>

namespace chat::client {

struct PasswordFile {
  std::string password;  // the first line, without CR/LF; wipe after use
  std::string error;     // why it could not be used (then password is "")
  std::string warning;   // e.g. readable by others; "" when none
};

PasswordFile ReadPasswordFile(const std::string& path);

}  // namespace chat::client

#endif  // CHAT_CLIENT_PASSWORD_FILE_H_
