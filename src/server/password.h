// Passwords: Argon2id hashes through libsodium, computed in the worker that
// received the password, at most as many at once server-wide as there are
// CPUs (HashSlots: a counting semaphore made of robust mutexes in shared
// memory, so a worker killed while hashing frees its slot).
//
// Cost: 19 MiB and 2 passes, OWASP's minimum for Argon2id. A hash takes
// tens of milliseconds, during which the worker serves nobody else, which
// is fine: it serves only the client that asked.
#ifndef CHAT_SERVER_PASSWORD_H_
#define CHAT_SERVER_PASSWORD_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/shared_memory.h"
#include "store/password_cost.h"

namespace chat::server {

// The cost, shared with chat-admin's reset-password.
using store::kHashMemLimit;
using store::kHashOpsLimit;

class HashSlots {
 public:
  // Shared memory for `slots` concurrent hashes; created before any fork.
  static std::optional<HashSlots> Create(unsigned slots, std::string* error);

  HashSlots(HashSlots&&) noexcept = default;

  // Holds one slot for its lifetime (waits for one if all are taken).
  class Hold {
   public:
    explicit Hold(HashSlots* slots);
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    HashSlots* slots_;
    unsigned slot_ = 0;
  };

  unsigned count() const;

 private:
  explicit HashSlots(ipc::SharedMemory memory) : memory_(std::move(memory)) {}
  struct Layout;
  Layout* layout() const;
  ipc::SharedMemory memory_;
};

// "$argon2id$..." for `password`, or "" if hashing failed (out of memory).
// `slots` may be null (tests, tools): no limit then.
std::string HashPassword(std::string_view password, HashSlots* slots);
// Whether `password` matches `hash`.
bool VerifyPassword(std::string_view hash, std::string_view password,
                    HashSlots* slots);
// Whether `hash` was made with other costs than today's.
bool NeedsRehash(std::string_view hash);

// Overwrites the bytes (sodium_memzero: not optimised away).
void Wipe(std::string* secret);
void Wipe(char* bytes, size_t size);

}  // namespace chat::server

#endif  // CHAT_SERVER_PASSWORD_H_
