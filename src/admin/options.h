// chat-admin's command line: which command to run on which data directory,
// parsed and checked with CLI11, kept apart from main() so that every
// mistake is a usage error (exit status 2) before the database is opened.
#ifndef CHAT_ADMIN_OPTIONS_H_
#define CHAT_ADMIN_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/bans.h"

namespace chat::admin {

inline constexpr std::string_view kProgram = "chat-admin";
inline constexpr std::string_view kAdminVersion = "chat-admin 1.0";

// Exit statuses (chat-admin(1) "EXIT STATUS").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // no such account, database error,
                                        // no server running (kick, who)
inline constexpr int kExitUsage = 2;    // bad command line

enum class Command {
  kAccounts,
  kSessions,
  kFailedLogins,
  kDelete,
  kResetPassword,
  kBan,
  kUnban,
  kBans,
  kKick,
  kWho,
};

struct Options {
  std::string data_dir = ".";  // holds chat-server.db
  Command command = Command::kAccounts;
  bool json = false;             // listings: one JSON object a line
  std::optional<int64_t> since;  // listings: ms since the epoch
  // sessions/failed-logins: only this name; delete/reset-password: the
  // account. Always a valid username.
  std::string name;
  // ban/unban: what (admin/ban_target.h); ban --for: how long, else for
  // ever.
  store::BanKind ban_kind = store::BanKind::kName;
  std::string ban_target;
  std::string ban_shown;
  std::optional<int64_t> for_ms;
  // kick: the reason the user is told (BYE Kicked: <reason>).
  std::string reason;
};

// kick without a reason.
inline constexpr std::string_view kDefaultKickReason = "by the operator";
// Longest kick reason, in bytes.
inline constexpr size_t kMaxKickReason = 200;

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
