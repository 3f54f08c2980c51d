// LoginMoves: end the older session of an account, then let the newer one in.
#include "server/login_move.h"

#include <algorithm>

#include "protocol/reply.h"

namespace chat::server {

void LoginMoves::Request(uint32_t from, ipc::WorkerId holder) {
  WorkerEntry* entry = table_.Find(holder);
  if (!entry || !entry->in_use) {
    relay_.SendNow(from, ipc::FrameKind::kMoveDone, {});
    return;
  }
  waiting_.emplace_back(holder.connection, table_.at(from).id);
  relay_.SendNow(holder.connection, ipc::FrameKind::kShutdown,
                 protocol::kByeLoggedInElsewhere);
}

void LoginMoves::Left(uint32_t index) {
  if (waiting_.empty()) return;
  auto done = [&](const std::pair<uint32_t, ipc::WorkerId>& wait) {
    if (wait.first != index) return false;
    if (WorkerEntry* waiter = table_.Find(wait.second)) {
      relay_.SendNow(waiter->id.connection, ipc::FrameKind::kMoveDone, {});
    }
    return true;
  };
  waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(), done),
                 waiting_.end());
}

}  // namespace chat::server
