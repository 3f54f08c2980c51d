// Passwords: Argon2id with libsodium, and the server-wide hash slots.
#include "server/password.h"

#include <sodium.h>
#include <unistd.h>

#include <new>

#include "ipc/robust_mutex.h"

namespace chat::server {

struct HashSlots::Layout {
  unsigned count;
  ipc::RobustMutex slots[1];  // `count` of them
};

std::optional<HashSlots> HashSlots::Create(unsigned slots, std::string* error) {
  if (slots == 0) slots = 1;
  size_t size = sizeof(Layout) + (slots - 1) * sizeof(ipc::RobustMutex);
  auto memory = ipc::SharedMemory::Create(size, error);
  if (!memory) return std::nullopt;
  auto* layout = new (memory->data()) Layout;
  layout->count = slots;
  for (unsigned i = 0; i < slots; ++i) {
    int rc = layout->slots[i].Init();
    if (rc != 0) {
      *error = "pthread_mutex_init: " + std::to_string(rc);
      return std::nullopt;
    }
  }
  return HashSlots(std::move(*memory));
}

HashSlots::Layout* HashSlots::layout() const {
  return static_cast<Layout*>(memory_.data());
}

unsigned HashSlots::count() const { return layout()->count; }

HashSlots::Hold::Hold(HashSlots* slots) : slots_(slots) {
  if (!slots_) return;
  Layout* layout = slots_->layout();
  // A free slot if there is one; else wait on one picked by pid, which
  // spreads waiters over the slots.
  auto take = [&](unsigned slot, ipc::LockStatus status) {
    if (status == ipc::LockStatus::kOwnerDied) {
      // A worker died hashing: the slot holds no data to repair.
      layout->slots[slot].MarkConsistent();
      status = ipc::LockStatus::kAcquired;
    }
    if (status != ipc::LockStatus::kAcquired) return false;
    slot_ = slot;
    return true;
  };
  for (unsigned i = 0; i < layout->count; ++i) {
    if (take(i, layout->slots[i].TryLock())) return;
  }
  unsigned slot = static_cast<unsigned>(getpid()) % layout->count;
  if (!take(slot, layout->slots[slot].Lock())) slots_ = nullptr;
}

HashSlots::Hold::~Hold() {
  if (slots_) slots_->layout()->slots[slot_].Unlock();
}

std::string HashPassword(std::string_view password, HashSlots* slots) {
  char hash[crypto_pwhash_STRBYTES];
  HashSlots::Hold hold(slots);
  if (crypto_pwhash_str(hash, password.data(), password.size(), kHashOpsLimit,
                        kHashMemLimit) != 0) {
    return {};
  }
  return hash;
}

bool VerifyPassword(std::string_view hash, std::string_view password,
                    HashSlots* slots) {
  std::string terminated(hash);  // libsodium wants a C string
  HashSlots::Hold hold(slots);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(),
                                  password.size()) == 0;
}

bool NeedsRehash(std::string_view hash) {
  std::string terminated(hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), kHashOpsLimit,
                                        kHashMemLimit) != 0;
}

void Wipe(std::string* secret) {
  if (!secret->empty()) sodium_memzero(secret->data(), secret->size());
  secret->clear();
}

void Wipe(char* bytes, size_t size) {
  if (size > 0) sodium_memzero(bytes, size);
}

}  // namespace chat::server
