// chat-admin: accounts, the audit log and bans of a chat-server data
// directory, whether the server runs or not; kicks and who is on line
// through the running server's control socket. Parses the command line, opens
// the database (never creating one) and runs the command. Exit status: 0 done,
// 1 failed, 2 bad command line (options.h).
#include <cstdio>
#include <string>

#include "admin/commands.h"
#include "admin/database_file.h"
#include "admin/options.h"

namespace chat::admin {

int Fail(std::string_view what) {
  std::fprintf(stderr, "%s: %.*s\n", std::string(kProgram).c_str(),
               static_cast<int>(what.size()), what.data());
  return kExitFailure;
}

namespace {

int Run(const Options& options) {
  // The running server's business alone: works with or without a
  // database file.
  if (options.command == Command::kKick) return Kick(options, stdout);
  std::string error;
  auto db = OpenDatabase(options.data_dir, &error);
  if (!db) return Fail(error);
  switch (options.command) {
    case Command::kAccounts:
      return ListAccounts(*db, options, stdout);
    case Command::kSessions:
      return ListSessions(*db, options, stdout);
    case Command::kFailedLogins:
      return ListFailedLogins(*db, options, stdout);
    case Command::kDelete:
      return DeleteAccount(*db, options, stdout);
    case Command::kResetPassword:
      return ResetPassword(*db, options, stdout);
    case Command::kBan:
      return Ban(*db, options, stdout);
    case Command::kUnban:
      return Unban(*db, options, stdout);
    case Command::kBans:
      return ListBans(*db, options, stdout);
    case Command::kKick:
      return Kick(options, stdout);
    case Command::kWho:
      return Who(*db, options, stdout);
  }
  return kExitFailure;
}

}  // namespace
}  // namespace chat::admin

int main(int argc, char** argv) {
  using namespace chat::admin;
  ParsedCommandLine parsed = ParseCommandLine(argc, argv);
  if (!parsed.options) {
    std::fputs(parsed.out.c_str(), stdout);
    std::fputs(parsed.err.c_str(), stderr);
    return parsed.exit_status;
  }
  int status = Run(*parsed.options);
  // A listing cut short (a full disk) must not look like success.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    return Fail("writing standard output failed");
  }
  return status;
}
