// WorkerId: the name of one connection's worker for its whole life.
#ifndef CHAT_IPC_WORKER_ID_H_
#define CHAT_IPC_WORKER_ID_H_

#include <cstdint>

namespace chat::ipc {

// `connection` is the broker's index for the connection, [0, max_connections);
// `generation` is bumped whenever the broker reuses an index, so a stale id
// (a message in flight to a user who just left) never reaches the next
// connection that gets the same index.
struct WorkerId {
  uint32_t connection = 0;
  uint32_t generation = 0;
  friend bool operator==(WorkerId, WorkerId) = default;
};

}  // namespace chat::ipc

#endif  // CHAT_IPC_WORKER_ID_H_
