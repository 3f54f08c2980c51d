// SipHash-2-4 with a random key: the registry's index is keyed by names
// that come from clients, and a keyed hash stops anyone from choosing names
// that all collide and turn each lookup into a scan.
#ifndef CHAT_IPC_SIPHASH_H_
#define CHAT_IPC_SIPHASH_H_

#include <cstddef>
#include <cstdint>

namespace chat::ipc {

uint64_t SipHash24(const uint64_t key[2], const unsigned char* in,
                   size_t length);

// A fresh key from getrandom(), or, failing that, a weaker per-run one.
void RandomSipHashKey(uint64_t key[2]);

}  // namespace chat::ipc

#endif  // CHAT_IPC_SIPHASH_H_
