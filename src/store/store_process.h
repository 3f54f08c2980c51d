// The store process: the one process of the server that opens the database.
// The broker forks it (and forks it again if it dies); it serves request
// frames from its channel until the broker closes it.
//
// Group commit: every frame readable at once (up to a batch) is handled
// inside one transaction, which is committed before any of the batch's
// answers is sent, so an answer a client waits on means its row is on disk
// (in the WAL) and many requests share one commit.
#ifndef CHAT_STORE_STORE_PROCESS_H_
#define CHAT_STORE_STORE_PROCESS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "store/service.h"

namespace chat::store {

// The store process's name (prctl PR_SET_NAME), as ps(1) shows it.
inline constexpr char kStoreProcessName[] = "chat-store";

struct StoreSetup {
  ipc::Channel channel;  // to the broker
  std::string path;      // the database file
  std::string control;   // the control socket (control.h)
  Limits limits;
  ipc::Registry* registry = nullptr;
  int64_t run = 0;  // names this server run in the audit log
  // Lines for the server's status log.
  std::function<void(std::string_view)> log_info;
  std::function<void(std::string_view)> log_error;
};

// Opens the database and serves; exits the process (status 0 when the
// broker closed the channel, 1 when the database cannot be opened).
[[noreturn]] void RunStore(StoreSetup setup);

}  // namespace chat::store

#endif  // CHAT_STORE_STORE_PROCESS_H_
