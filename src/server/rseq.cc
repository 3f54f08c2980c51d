// UnregisterRseq: the rseq(2) system call with RSEQ_FLAG_UNREGISTER on the
// area glibc (2.35 and later) registered, found through __rseq_offset.
#include "server/rseq.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <initializer_list>

#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#endif

namespace chat::server {

void UnregisterRseq() {
#if defined(RSEQ_SIG) && defined(SYS_rseq)
  if (__rseq_size == 0) return;  // glibc did not register (or was told not to)
  auto* area = reinterpret_cast<struct rseq*>(
      static_cast<char*>(__builtin_thread_pointer()) + __rseq_offset);
  // The kernel wants the length the area was registered with: glibc 2.36
  // registers sizeof(struct rseq) (32) while __rseq_size says 20, the part
  // in use; later versions register __rseq_size.
  bool unregistered = false;
  for (unsigned length :
       {static_cast<unsigned>(sizeof(struct rseq)), __rseq_size}) {
    if (!unregistered &&
        syscall(SYS_rseq, area, length, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0) {
      unregistered = true;
    }
  }
  if (unregistered) {
    // What glibc leaves when registration failed: sched_getcpu() then asks
    // the kernel instead of reading a CPU number nobody updates any more.
    area->cpu_id = RSEQ_CPU_ID_REGISTRATION_FAILED;
  }
#endif
}

}  // namespace chat::server
