// chat-admin's command line: which command to run on which data directory,
// parsed and checked with CLI11, kept apart from main() so that every
// mistake is a usage error (exit status 2) before the database is opened.
#ifndef CHAT_ADMIN_OPTIONS_H_
#define CHAT_ADMIN_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::admin {

inline constexpr std::string_view kProgram = "chat-admin";
inline constexpr std::string_view kAdminVersion = "chat-admin 1.0";

// Exit statuses (chat-admin(1) "EXIT STATUS").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // no such account, database error
inline constexpr int kExitUsage = 2;    // bad command line

enum class Command {
  kAccounts,
  kSessions,
  kFailedLogins,
  kDelete,
  kResetPassword,
};

struct Options {
  std::string data_dir = ".";  // holds chat-server.db
  Command command = Command::kAccounts;
  bool json = false;             // listings: one JSON object a line
  std::optional<int64_t> since;  // listings: ms since the epoch
  // sessions/failed-logins: only this name; delete/reset-password: the
  // account. Always a valid username.
  std::string name;
};

// What main() does: run with `options`, or print `out` (stdout) and `err`
// (stderr) and exit with `exit_status`.
struct ParsedCommandLine {
  std::optional<Options> options;
  int exit_status = kExitOk;
  std::string out;
  std::string err;
};

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv);

}  // namespace chat::admin

#endif  // CHAT_ADMIN_OPTIONS_H_
