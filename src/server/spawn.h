// Starting one worker process. Ownership across the fork: the child keeps
// stdin/stdout/stderr, the client socket and its end of the channel, and
// closes every other fd it inherited (the listeners, the broker's epoll and
// signalfd, other workers' channels). The parent keeps `setup` and must then
// drop it, closing its copies of the client socket and of the child's
// channel end; it is the one that reaps the child.
#ifndef CHAT_SERVER_SPAWN_H_
#define CHAT_SERVER_SPAWN_H_

#include <sys/types.h>

#include <optional>

#include "server/worker.h"

namespace chat::server {

// Forks a worker serving `setup`. In the parent: the child's pid, or
// nullopt with errno in *error (EAGAIN, ENOMEM) when fork failed; `setup`
// is left untouched, so the caller can still answer the client. The child
// never returns from this call.
std::optional<pid_t> SpawnWorker(WorkerSetup& setup, int* error);

}  // namespace chat::server

#endif  // CHAT_SERVER_SPAWN_H_
