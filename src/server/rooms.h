// Rooms, the broker's side: who is in which room, and the fan-out of a room
// message to exactly its members.
//
// Where membership lives, and why here: the broker owns it, in its own
// memory, and only the broker writes it, one request frame at a time.
// Workers ask with kRoomRequest frames and wait for the kAnswer. A worker
// can be SIGKILLed at any instruction, but a SOCK_SEQPACKET frame arrives
// whole or not at all, so a kill mid-JOIN leaves the room either without
// the user (the frame never left) or with it (the broker handled the frame,
// and takes the user out again when it reaps the worker); there is no
// half-written membership for anyone to repair. Kept in the shared registry
// instead, membership would be written by every worker under the robust
// mutex, a kill mid-update would leave a member list to rebuild on
// EOWNERDEAD, and the broker would have to take that lock, which a stopped
// worker can hold, for every room message. Here the broker finds a room's
// members in one hash lookup and walks just them: a room message to N
// members costs what a BCST to N users costs.
#ifndef CHAT_SERVER_ROOMS_H_
#define CHAT_SERVER_ROOMS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ipc/channel.h"
#include "server/log.h"
#include "server/worker_table.h"

namespace chat::server {

class Relay;

// kRoomRequest's `count`. Payloads: the room as typed (kJoin, kPart,
// kList), nothing (kRooms), or the whole push line "MESG <room> <from>
// <text>\n" (kMesg), so that the broker relays it as it relays a BCST.
enum class RoomOp : uint32_t {
  kJoin = 1,
  kPart = 2,
  kMesg = 3,
  kList = 4,
  kRooms = 5,
};

inline constexpr size_t kMaxRoomsPerUser = 20;

class Rooms {
 public:
  Rooms(WorkerTable& table, Relay& relay, const Log& log, uint32_t max_rooms);

  // A kRoomRequest from worker `from`; answered with exactly one kAnswer.
  void OnRequest(uint32_t from, const ipc::FrameView& frame);

  // Worker `index` left the server: it leaves every room without a LEFT
  // <room> push, as the others learn it from the one LEFT <username>.
  void Forget(uint32_t index);

 private:
  struct Room {
    std::string name;  // spelled as at creation
    uint64_t created;
    std::vector<uint32_t> members;  // in order of entering
  };

  Room* Find(std::string_view name);
  void Join(uint32_t from, std::string_view name);
  void Part(uint32_t from, std::string_view name);
  void Mesg(uint32_t from, std::string_view push);
  void List(uint32_t from, std::string_view name);
  void ListRooms(uint32_t from);
  // Takes `index` out of `room`, and ends the room when it was the last.
  void Remove(Room* room, uint32_t index);
  std::vector<Room*>& RoomsOf(uint32_t index);

  WorkerTable& table_;
  Relay& relay_;
  const Log& log_;
  const uint32_t max_rooms_;
  uint64_t next_created_ = 1;
  // By lower-cased name. unique_ptr: RoomsOf() keeps pointers.
  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;
  // The rooms each connection index is in (at most kMaxRoomsPerUser).
  std::vector<std::vector<Room*>> joined_;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_ROOMS_H_
