// The commands of chat-admin, one file each, run on an open database. Each
// returns the exit status; a failure has printed its one line on stderr
// (Fail) first.
#ifndef CHAT_ADMIN_COMMANDS_H_
#define CHAT_ADMIN_COMMANDS_H_

#include <cstdio>
#include <string_view>

#include "admin/options.h"
#include "store/database.h"

namespace chat::admin {

// list_accounts.cc
int ListAccounts(store::Database& db, const Options& options, std::FILE* out);
// list_audit.cc
int ListSessions(store::Database& db, const Options& options, std::FILE* out);
int ListFailedLogins(store::Database& db, const Options& options,
                     std::FILE* out);
// delete_account.cc
int DeleteAccount(store::Database& db, const Options& options, std::FILE* out);
// reset_password.cc
int ResetPassword(store::Database& db, const Options& options, std::FILE* out);

// moderation.cc
int Ban(store::Database& db, const Options& options, std::FILE* out);
int Unban(store::Database& db, const Options& options, std::FILE* out);
int ListBans(store::Database& db, const Options& options, std::FILE* out);
int Kick(const Options& options, std::FILE* out);  // no database needed
int Who(store::Database& db, const Options& options, std::FILE* out);

// "chat-admin: <what>" on stderr; kExitFailure.
int Fail(std::string_view what);

}  // namespace chat::admin

#endif  // CHAT_ADMIN_COMMANDS_H_
