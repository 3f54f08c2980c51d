// Turning a freshly created child into a worker. The child keeps
// stdin/stdout/stderr, the client socket and its end of the channel, and
// closes every other fd it inherited (whatever its creator held: the
// spawner's control socket, or a broker's listeners and channels).
#ifndef CHAT_SERVER_SPAWN_H_
#define CHAT_SERVER_SPAWN_H_

#include <sys/types.h>

#include "server/worker.h"

namespace chat::server {

// Call first thing in the new child; `broker` is the pid of the broker,
// which must be the child's parent (it reaps the worker). Never returns.
[[noreturn]] void BecomeWorker(WorkerSetup setup, pid_t broker);

}  // namespace chat::server

#endif  // CHAT_SERVER_SPAWN_H_
