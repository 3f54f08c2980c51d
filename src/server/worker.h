// The worker: the one process that serves one client connection. It runs
// the Session over the client socket, its channel to the broker and a
// signalfd, and exits with the status that names why the session ended.
#ifndef CHAT_SERVER_WORKER_H_
#define CHAT_SERVER_WORKER_H_

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "ipc/unique_fd.h"
#include "ipc/worker_id.h"
#include "server/log.h"
#include "server/options.h"
#include "server/password.h"
#include "server/way_in.h"

namespace chat::server {

struct WaysIn;  // ways_in.h
class Sandbox;  // sandbox.h

struct WorkerSetup {
  ipc::UniqueFd client;  // the accepted TCP socket, non-blocking
  ipc::Channel channel;  // the worker's end of its channel to the broker
  ipc::WorkerId id;
  ipc::Registry* registry;
  const Options* options;
  const Log* log;
  HashSlots* hash_slots;  // for Argon2id (password.h); may be null
  int client_number;      // the client socket's fd number in the broker, which
                          // names the connection in the log ("fd N pid P")
  WayIn way = WayIn::kPlain;        // the transport to speak
  const WaysIn* ways_in = nullptr;  // what the transports need
  // Entered once the worker is set up; null under --no-sandbox.
  const Sandbox* sandbox = nullptr;
};

// Serves the connection and exits the process (never returns). Call only in
// a freshly created child that kept nothing else (see spawn.h).
[[noreturn]] void RunWorker(WorkerSetup setup);

}  // namespace chat::server

#endif  // CHAT_SERVER_WORKER_H_
