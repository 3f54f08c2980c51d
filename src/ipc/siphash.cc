// SipHash-2-4 (Aumasson and Bernstein), written out here: the reference
// algorithm is short, and no Debian package offers it on its own.
#include "ipc/siphash.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

namespace chat::ipc {

namespace {

uint64_t Rotl(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

}  // namespace

uint64_t SipHash24(const uint64_t key[2], const unsigned char* in,
                   size_t length) {
  uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
  uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
  uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
  uint64_t v3 = 0x7465646279746573ULL ^ key[1];
  auto round = [&] {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  };
  size_t whole = length - length % 8;
  for (size_t i = 0; i < whole; i += 8) {
    uint64_t m = 0;
    for (int j = 0; j < 8; ++j) m |= uint64_t{in[i + j]} << (8 * j);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  uint64_t last = uint64_t{length} << 56;
  for (size_t j = 0; j < length % 8; ++j) {
    last |= uint64_t{in[whole + j]} << (8 * j);
  }
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

void RandomSipHashKey(uint64_t key[2]) {
  if (::getrandom(key, 2 * sizeof(uint64_t), 0) ==
      static_cast<ssize_t>(2 * sizeof(uint64_t))) {
    return;
  }
  // No getrandom (old kernel, seccomp): a weaker but still per-run key.
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  key[0] = static_cast<uint64_t>(now.tv_nsec) * 0x9e3779b97f4a7c15ULL ^
           static_cast<uint64_t>(now.tv_sec);
  key[1] = static_cast<uint64_t>(::getpid()) * 0xc2b2ae3d27d4eb4fULL ^ key[0];
}

}  // namespace chat::ipc
