// PlugHeapHoles: glibc's mallinfo2() tells the size of the top chunk
// (keepcost), so the top's start is the program break less that; each
// size class is then allocated until malloc answers from the top.
#include "server/heap_plug.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__)
#define CHAT_SERVER_OWN_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHAT_SERVER_OWN_MALLOC 1
#endif
#endif

namespace chat::server {
#if defined(__GLIBC__) && !defined(CHAT_SERVER_OWN_MALLOC)
namespace {

// Allocates `size` bytes until malloc takes them from the top chunk; false
// when the budget of allocations ran out first.
bool PlugSize(size_t size, int* budget) {
  const uintptr_t top =
      reinterpret_cast<uintptr_t>(sbrk(0)) - mallinfo2().keepcost;
  while (*budget > 0) {
    --*budget;
    void* plug = malloc(size);
    if (plug == nullptr) return false;
    if (reinterpret_cast<uintptr_t>(plug) >= top) {
      free(plug);  // from the top: no hole of this size is left
      return true;
    }
    // Not freed, on purpose: the hole stays filled for every worker.
  }
  return false;
}

}  // namespace
#endif

void PlugHeapHoles() {
#if defined(__GLIBC__) && !defined(CHAT_SERVER_OWN_MALLOC)
  // The holes are a few hundred KiB at most: this many allocations take
  // them all with room to spare, and bound the time if they do not.
  int budget = 100000;
  // First the holes' whole free pages go back to the kernel (glibc's
  // malloc_trim releases them inside the heap too, not only at its top):
  // the plugs below never touch them again, so no worker's fork copies
  // their page table entries or their exit unmaps them (measured: 64 KiB
  // of the spawner's 696 KiB of anonymous memory).
  malloc_trim(0);
  // Big pieces first, so that big holes go in few allocations; then every
  // size class of glibc's per-thread cache (16-byte steps up to 1 KiB), so
  // that no cached chunk in a hole is left for a worker to take.
  for (size_t size = 65536; size > 1024; size /= 2) {
    if (!PlugSize(size, &budget)) return;
  }
  for (size_t size = 1024; size >= 16; size -= 16) {
    if (!PlugSize(size, &budget)) return;
  }
#endif
}

}  // namespace chat::server
