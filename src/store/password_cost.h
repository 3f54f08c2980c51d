// The cost of the Argon2id password hashes kept in the accounts table, for
// every program that makes one (the server's workers, chat-admin): 19 MiB
// and 2 passes, OWASP's minimum for Argon2id. A hash made with other costs
// is rehashed at the account's next good login
// (crypto_pwhash_str_needs_rehash), so the two must agree.
#ifndef CHAT_STORE_PASSWORD_COST_H_
#define CHAT_STORE_PASSWORD_COST_H_

#include <cstddef>

namespace chat::store {

inline constexpr unsigned long long kHashOpsLimit = 2;
inline constexpr size_t kHashMemLimit = 19u << 20;

}  // namespace chat::store

#endif  // CHAT_STORE_PASSWORD_COST_H_
