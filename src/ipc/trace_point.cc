// See trace_point.h. Kept out of line (and out of every caller's
// translation unit) so that its symbol is always there to break on.
#include "ipc/trace_point.h"

namespace chat::ipc {

[[gnu::noinline]] void TracePoint(const char* stage) {
  // Keeps the call and its argument from being optimised away.
  asm volatile("" : : "r"(stage) : "memory");
}

}  // namespace chat::ipc
