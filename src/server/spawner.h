// The spawner: a small process the broker forks once at start-up, while its
// own heap is still small, and then asks to create every worker. Why: a
// worker forked from the broker shares the broker's heap copy-on-write, and
// the broker keeps writing it (its worker table, its channel queues), so each
// worker ends up owning a private copy of the broker's heap as it was at fork
// time, which grows with the number of connections. Workers created by the
// spawner share the spawner's pages instead, which never change, and forking
// a small process is cheaper than forking a big one.
//
// The broker sends a request per connection over a SOCK_SEQPACKET control
// socketpair, with the client socket and the worker's channel end attached
// (SCM_RIGHTS), and closes its own copies. The spawner creates the worker as
// the BROKER's child (CLONE_PARENT), closes the passed fds and answers with
// the worker's pid or an errno.
#ifndef CHAT_SERVER_SPAWNER_H_
#define CHAT_SERVER_SPAWNER_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>

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

// What the spawner hands each worker; the objects must outlive the broker
// (they live in main(), and the spawner keeps its copy of them).
struct SpawnContext {
  ipc::Registry* registry = nullptr;
  const Options* options = nullptr;
  const Log* log = nullptr;
  HashSlots* hash_slots = nullptr;
  const WaysIn* ways_in = nullptr;   // TLS credentials, web page
  const Sandbox* sandbox = nullptr;  // null under --no-sandbox
};

// The spawner's answer to one request.
struct SpawnReply {
  ipc::WorkerId id;
  pid_t pid = -1;  // the worker's pid, or -1 and `error` set
  int error = 0;   // errno of the failed clone (the client was answered)
};

enum class SpawnerStatus { kOk, kWouldBlock, kClosed, kError };

// The broker's handle on its spawner.
class Spawner {
 public:
  // Forks the spawner. Call with SIGCHLD, SIGTERM and SIGINT blocked; every
  // fd but 0-2 and the control socket is closed in the spawner. nullopt with
  // *error set when it cannot be started.
  static std::optional<Spawner> Start(const SpawnContext& context,
                                      std::string* error);

  Spawner(Spawner&&) noexcept = default;
  Spawner& operator=(Spawner&&) noexcept = default;

  pid_t pid() const { return pid_; }
  int fd() const { return control_.get(); }

  // Asks for a worker serving `client` over `channel` (both are duplicated
  // into the spawner; the caller closes its copies). `client_number` is the
  // client socket's fd number in the broker, for the log subject. Never
  // blocks: false with *error (errno) if the request could not be sent.
  bool Request(ipc::WorkerId id, int client, int channel, int client_number,
               int* error, WayIn way = WayIn::kPlain);
  // Reads one reply. kClosed once the spawner is gone and every reply read.
  SpawnerStatus Receive(SpawnReply* reply);

 private:
  Spawner(pid_t pid, ipc::UniqueFd control)
      : pid_(pid), control_(std::move(control)) {}

  pid_t pid_;
  ipc::UniqueFd control_;  // non-blocking, close-on-exec
};

}  // namespace chat::server

#endif  // CHAT_SERVER_SPAWNER_H_
