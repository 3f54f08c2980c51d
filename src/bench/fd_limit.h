// The benchmark holds one descriptor per connection, so it raises its own
// limit on open files to the hard limit before it starts.
#ifndef CHAT_BENCH_FD_LIMIT_H_
#define CHAT_BENCH_FD_LIMIT_H_

#include <cstdint>

namespace chat::bench {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit
// now in force (unchanged if raising failed), or -1 if it cannot be read.
int64_t RaiseFdLimit();

}  // namespace chat::bench

#endif  // CHAT_BENCH_FD_LIMIT_H_
