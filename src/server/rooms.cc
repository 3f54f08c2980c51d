// Rooms: JOIN, PART, MESG, LIST of a room and ROOMS, as the broker answers
// them, and a leaving user's quiet exit from its rooms.
#include "server/rooms.h"

#include <algorithm>

#include "protocol/reply.h"
#include "protocol/rooms.h"
#include "server/relay.h"

namespace chat::server {
namespace {

using protocol::ErrorCode;
using protocol::FormatError;

std::string Folded(std::string_view name) {
  std::string folded(name);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

constexpr std::string_view kMesgPrefix = "MESG ";

}  // namespace

Rooms::Rooms(WorkerTable& table, Relay& relay, const Log& log,
             uint32_t max_rooms)
    : table_(table), relay_(relay), log_(log), max_rooms_(max_rooms) {}

std::vector<Rooms::Room*>& Rooms::RoomsOf(uint32_t index) {
  if (joined_.size() != table_.capacity()) joined_.resize(table_.capacity());
  return joined_[index];
}

Rooms::Room* Rooms::Find(std::string_view name) {
  auto found = rooms_.find(Folded(name));
  return found == rooms_.end() ? nullptr : found->second.get();
}

void Rooms::OnRequest(uint32_t from, const ipc::FrameView& frame) {
  // A worker asks only once registered; a late frame from one whose name a
  // newer connection took over (relay.h) is still answered, as every
  // request frame must be.
  if (!table_.at(from).registered) {
    relay_.Answer(from, FormatError(ErrorCode::kUnregisteredUser,
                                    "send JOIN <username> first"));
    return;
  }
  switch (static_cast<RoomOp>(frame.count)) {
    case RoomOp::kJoin:
      return Join(from, frame.payload);
    case RoomOp::kPart:
      return Part(from, frame.payload);
    case RoomOp::kMesg:
      return Mesg(from, frame.payload);
    case RoomOp::kList:
      return List(from, frame.payload);
    case RoomOp::kRooms:
      return ListRooms(from);
  }
  relay_.Kill(from,
              "sent an unknown room request " + std::to_string(frame.count));
}

void Rooms::Join(uint32_t from, std::string_view name) {
  WorkerEntry& entry = table_.at(from);
  Room* room = Find(name);
  std::vector<Room*>& mine = RoomsOf(from);
  if (room != nullptr &&
      std::find(mine.begin(), mine.end(), room) != mine.end()) {
    relay_.Answer(from, FormatError(ErrorCode::kAlreadyInRoom, room->name));
    return;
  }
  if (mine.size() >= kMaxRoomsPerUser) {
    relay_.Answer(from,
                  FormatError(ErrorCode::kTooManyRooms,
                              "at most " + std::to_string(kMaxRoomsPerUser) +
                                  " rooms per user"));
    return;
  }
  bool created = false;
  if (room == nullptr) {
    if (rooms_.size() >= max_rooms_) {
      relay_.Answer(from,
                    FormatError(ErrorCode::kTooManyRooms,
                                "the server holds at most " +
                                    std::to_string(max_rooms_) + " rooms"));
      return;
    }
    auto made = std::make_unique<Room>();
    made->name = name;
    made->created = next_created_++;
    room = made.get();
    rooms_.emplace(Folded(name), std::move(made));
    created = true;
  }
  // Announced like JOINED: held back under a mass join, in order with
  // everything else for each member (relay.h).
  std::string joined = protocol::FormatRoomJoined(room->name, entry.name);
  for (uint32_t member : room->members) relay_.Deliver(member, joined, true);
  room->members.push_back(from);
  mine.push_back(room);
  if (log_.info()) {
    log_.Info(entry.subject, "JOIN " + room->name + " by " + entry.name +
                                 (created ? " (created the room)" : "") + ", " +
                                 std::to_string(room->members.size()) +
                                 " members");
  }
  relay_.Answer(from, protocol::FormatOkJoinRoom(room->name));
}

void Rooms::Part(uint32_t from, std::string_view name) {
  WorkerEntry& entry = table_.at(from);
  Room* room = Find(name);
  if (room == nullptr) {
    relay_.Answer(from, FormatError(ErrorCode::kUnknownRoom, name));
    return;
  }
  std::vector<Room*>& mine = RoomsOf(from);
  auto at = std::find(mine.begin(), mine.end(), room);
  if (at == mine.end()) {
    relay_.Answer(from, FormatError(ErrorCode::kNotInRoom, room->name));
    return;
  }
  mine.erase(at);
  std::string spelled = room->name;  // Remove may end the room
  std::string left = protocol::FormatRoomLeft(spelled, entry.name);
  for (uint32_t member : room->members) {
    if (member != from) relay_.Deliver(member, left, true);
  }
  if (log_.info()) {
    log_.Info(entry.subject, "PART " + spelled + " by " + entry.name);
  }
  Remove(room, from);
  relay_.Answer(from, protocol::FormatOkPart(spelled));
}

void Rooms::Remove(Room* room, uint32_t index) {
  auto at = std::find(room->members.begin(), room->members.end(), index);
  if (at != room->members.end()) room->members.erase(at);
  if (room->members.empty()) {
    if (log_.info()) log_.Info(kServerSubject, "room " + room->name + " ended");
    rooms_.erase(Folded(room->name));
  }
}

void Rooms::Mesg(uint32_t from, std::string_view push) {
  // "MESG <room> <from> <text>\n", built by the worker.
  std::string_view rest = push.substr(kMesgPrefix.size());
  std::string_view typed = rest.substr(0, rest.find(' '));
  Room* room = Find(typed);
  if (room == nullptr) {
    relay_.Answer(from, FormatError(ErrorCode::kUnknownRoom, typed));
    return;
  }
  std::vector<Room*>& mine = RoomsOf(from);
  if (std::find(mine.begin(), mine.end(), room) == mine.end()) {
    relay_.Answer(from, FormatError(ErrorCode::kNotInRoom, room->name));
    return;
  }
  // The room as created is the one shown: respelled only when the sender
  // typed it otherwise, so the usual message is relayed without a copy.
  std::string respelled;
  if (typed != room->name) {
    respelled.reserve(push.size());
    respelled.append(kMesgPrefix).append(room->name);
    respelled.append(rest.substr(typed.size()));
    push = respelled;
  }
  uint32_t count = 0;
  for (uint32_t member : room->members) {
    if (member != from && relay_.Deliver(member, push)) ++count;
  }
  relay_.Record(push, room->name);
  relay_.Answer(from, protocol::FormatOkMesgRoom(room->name, count));
}

void Rooms::List(uint32_t from, std::string_view name) {
  Room* room = Find(name);
  if (room == nullptr) {
    relay_.Answer(from, FormatError(ErrorCode::kUnknownRoom, name));
    return;
  }
  std::vector<std::string> names;
  names.reserve(room->members.size());
  for (uint32_t member : room->members) names.push_back(table_.at(member).name);
  relay_.Answer(from, protocol::FormatRoomList(room->name, names));
}

void Rooms::ListRooms(uint32_t from) {
  std::vector<const Room*> all;
  all.reserve(rooms_.size());
  for (const auto& [folded, room] : rooms_) all.push_back(room.get());
  std::sort(all.begin(), all.end(), [](const Room* a, const Room* b) {
    return a->created < b->created;
  });
  std::vector<std::pair<std::string, size_t>> listed;
  listed.reserve(all.size());
  for (const Room* room : all) {
    listed.emplace_back(room->name, room->members.size());
  }
  relay_.Answer(from, protocol::FormatRooms(listed));
}

void Rooms::Forget(uint32_t index) {
  if (index >= joined_.size() || joined_[index].empty()) return;
  std::vector<Room*> mine;
  mine.swap(joined_[index]);
  const WorkerEntry& entry = table_.at(index);
  std::string names;
  for (Room* room : mine) {
    names += (names.empty() ? "" : ",") + room->name;
    Remove(room, index);
  }
  if (log_.info()) {
    log_.Info(entry.subject, "left rooms " + names + " with the server");
  }
}

}  // namespace chat::server
