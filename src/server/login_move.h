// LoginMoves: a successful LOGIN to an account that is logged in on another
// connection moves the account: the older session gets BYE Logged In
// Elsewhere and ends, and the new one registers the name once the old one
// has left (so the others see LEFT before JOINED, never the reverse).
#ifndef CHAT_SERVER_LOGIN_MOVE_H_
#define CHAT_SERVER_LOGIN_MOVE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "ipc/worker_id.h"
#include "server/relay.h"
#include "server/worker_table.h"

namespace chat::server {

class LoginMoves {
 public:
  LoginMoves(WorkerTable& table, Relay& relay) : table_(table), relay_(relay) {}

  // Worker `from` logged in to the account that `holder` holds.
  void Request(uint32_t from, ipc::WorkerId holder);
  // Worker `index` left the registry (its kLeft) or was reaped: whoever
  // waits for it is told (kMoveDone).
  void Left(uint32_t index);

 private:
  WorkerTable& table_;
  Relay& relay_;
  // (holder's index, waiting worker); a handful at most at any time.
  std::vector<std::pair<uint32_t, ipc::WorkerId>> waiting_;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_LOGIN_MOVE_H_
