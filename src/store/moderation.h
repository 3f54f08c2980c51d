// Moderation in the store process: the requests chat-admin sends over the
// control socket (control.h), and the bans handed to the broker.
//
// The control protocol, one request line, answered "OK ..." or "ERR <why>":
//   BANS               the bans table changed (chat-admin wrote it): send the
//                      broker the address bans in force, and kick every user
//                      on line whose name is banned -> "OK" and the names
//                      kicked, space-separated
//   KICK <name> <why>  end that user's session with BYE Kicked: <why>
//                      -> "OK <name as spelled>" / "ERR not online"
//   RUN                -> "OK <run>": this server run in the audit log, whose
//                      sessions not ended are the ones on line (chat-admin
//                      who)
#ifndef CHAT_STORE_MODERATION_H_
#define CHAT_STORE_MODERATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "store/database.h"

namespace chat::store {

class Moderation {
 public:
  Moderation(Database& db, ipc::Registry* registry, ipc::Channel& broker,
             int64_t run)
      : db_(db), registry_(registry), broker_(broker), run_(run) {}

  // Queues the address bans in force for the broker (kBanList frames).
  void SendBans();
  // One control request line; the answer, LF-ended.
  std::string Command(std::string_view line);

 private:
  // Queues kKick for `name` if it is on line; its spelling, or "".
  std::string Kick(std::string_view name, std::string_view reason);

  Database& db_;
  ipc::Registry* registry_;
  ipc::Channel& broker_;
  const int64_t run_;
};

}  // namespace chat::store

#endif  // CHAT_STORE_MODERATION_H_
