// WorkerTable: the broker's bookkeeping of its connections. Each connection
// has an index in [0, max_connections) and a generation bumped whenever the
// index is reused; together they are its WorkerId. The registered workers
// are also kept as a dense list, so a broadcast walks only those.
#ifndef CHAT_SERVER_WORKER_TABLE_H_
#define CHAT_SERVER_WORKER_TABLE_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ipc/channel.h"
#include "ipc/worker_id.h"
#include "server/address_policy.h"

namespace chat::server {

struct WorkerEntry {
  bool in_use = false;
  ipc::WorkerId id;
  pid_t pid = -1;
  std::string subject;  // "fd N pid P", for the log
  std::optional<ipc::Channel> channel;
  bool channel_readable = false;  // in epoll for reading, no EOF yet
  bool channel_writable = false;  // sends may still succeed
  bool want_write = false;        // EPOLLOUT armed
  bool dirty = false;             // frames to send this turn
  bool held = false;              // coalesced pushes waiting (relay.h)
  bool killed = false;            // SIGKILL sent (hung, or broke protocol)
  std::string killed_because;     // why, for the log
  bool registered = false;        // counted in fan-outs
  std::string name;               // as registered
  size_t registered_position = 0;
  int client_number = -1;        // names it in the log: the broker's channel fd
  bool spawn_pending = false;    // asked the spawner; no pid yet
  bool orphaned = false;         // its spawner died before naming the pid
  uint32_t session = 0;          // numbers the session in the audit log
  std::string peer;              // the client's address, "host:port"
  bool account = false;          // registered by logging in to an account
  bool ever_registered = false;  // registered at some time in its session
  // Its client's address when the per-address limits apply to it.
  std::optional<Address16> limited_address;
  // Its client's address, for the bans (moderation.h).
  std::optional<Address16> address;
};

class WorkerTable {
 public:
  explicit WorkerTable(uint32_t capacity);

  // A free index with a fresh generation, or nullopt when all are in use.
  std::optional<uint32_t> Allocate();
  void Free(uint32_t index);

  WorkerEntry& at(uint32_t index) { return entries_[index]; }
  // The live entry `id` names, or nullptr if that worker is gone.
  WorkerEntry* Find(ipc::WorkerId id);
  std::optional<uint32_t> IndexOfPid(pid_t pid) const;
  void SetPid(uint32_t index, pid_t pid);

  // Adds to / removes from the registered set.
  void Register(uint32_t index, std::string name);
  void Unregister(uint32_t index);
  // The registered worker holding `name` in any letter case.
  std::optional<uint32_t> FindRegistered(std::string_view name) const;
  const std::vector<uint32_t>& registered() const { return registered_; }

  size_t live() const { return live_; }
  uint32_t capacity() const { return static_cast<uint32_t>(entries_.size()); }

 private:
  std::vector<WorkerEntry> entries_;
  std::vector<uint32_t> generations_;
  std::vector<uint32_t> free_;  // a stack: recently freed indices reused first
  std::unordered_map<pid_t, uint32_t> by_pid_;
  std::vector<uint32_t> registered_;
  std::unordered_map<std::string, uint32_t> by_name_;  // lower-cased
  size_t live_ = 0;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_WORKER_TABLE_H_
