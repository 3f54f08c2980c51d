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
// which must be the child's parent (it reaps the worker). `dev_null` is an
// fd of /dev/null the creator opened (a confined spawner can open nothing),
// to become stdin and stdout. Never returns.
[[noreturn]] void BecomeWorker(WorkerSetup setup, pid_t broker, int dev_null);

}  // namespace chat::server

#endif  // CHAT_SERVER_SPAWN_H_
