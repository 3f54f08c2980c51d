// chat-admin reset-password NAME: a new password for an account, checked
// against the protocol's rule and stored as an Argon2id hash of the same
// cost as the server's (store/password_cost.h), so the server accepts it
// at the next LOGIN and sees no need to rehash it. Sessions logged in at the
// time stay logged in.
#include <sodium.h>

#include <string>

#include "admin/commands.h"
#include "admin/password_input.h"
#include "protocol/password_rule.h"
#include "store/accounts_sql.h"
#include "store/password_cost.h"

namespace chat::admin {
namespace {

// The account's name as it is spelled, or "" (with *error set on a
// database error).
std::string AccountName(store::Database& db, const std::string& key,
                        std::string* error) {
  store::Statement account =
      db.Prepare("SELECT name FROM accounts WHERE name_key = ?1");
  account.Bind(1, key);
  if (account.Step()) return account.Text(0);
  if (!account.ok()) *error = db.error();
  return "";
}

}  // namespace

int ResetPassword(store::Database& db, const Options& options, std::FILE* out) {
  const std::string key = store::Key(options.name);
  // Asked first, so nobody types a password for a misspelt name.
  std::string error;
  std::string name = AccountName(db, key, &error);
  if (!error.empty()) return Fail("reset-password: " + error);
  if (name.empty()) {
    return Fail("reset-password: no such account: " + options.name);
  }
  if (sodium_init() < 0) return Fail("reset-password: libsodium cannot start");

  char hash[crypto_pwhash_STRBYTES];
  {
    Secret password;
    if (!ReadNewPassword(&password, &error)) {
      return Fail("reset-password: " + error);
    }
    if (password.overflowed() ||
        !protocol::IsValidPasswordText(password.view())) {
      return Fail(
          "reset-password: invalid password: 8 to 128 bytes of UTF-8, no "
          "spaces or control characters");
    }
    if (crypto_pwhash_str(hash, password.view().data(), password.view().size(),
                          store::kHashOpsLimit, store::kHashMemLimit) != 0) {
      return Fail("reset-password: out of memory for the Argon2id hash");
    }
  }  // the password is wiped here

  int64_t changed = store::SetAccountHash(db, key, hash);
  if (changed < 0) return Fail("reset-password: " + db.error());
  if (changed == 0) {  // deleted while the password was typed
    return Fail("reset-password: no such account: " + options.name);
  }
  std::fprintf(out, "password of %s changed\n", name.c_str());
  return kExitOk;
}

}  // namespace chat::admin
