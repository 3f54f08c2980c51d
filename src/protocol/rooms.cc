// Rooms and private-message requests: the room rule, argument checks and the
// lines the server writes for them.
#include "protocol/rooms.h"

namespace chat::protocol {
namespace {

bool IsRoomChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::string Join(std::string_view head, std::string_view arg) {
  std::string line;
  line.reserve(head.size() + arg.size() + 2);
  line.append(head);
  if (!arg.empty()) {
    line += ' ';
    line.append(arg);
  }
  line += '\n';
  return line;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += items[i];
  }
  return out;
}

}  // namespace

bool IsValidRoomName(std::string_view room) {
  if (room.size() < 2 || room.size() > kMaxRoomNameLength + 1 ||
      room.front() != '#') {
    return false;
  }
  for (char c : room.substr(1)) {
    if (!IsRoomChar(c)) return false;
  }
  return true;
}

std::optional<std::pair<ErrorCode, std::string>> CheckRoomArgument(
    std::string_view room) {
  if (IsValidRoomName(room)) return std::nullopt;
  return std::pair{ErrorCode::kInvalidRoom, std::string(room)};
}

std::optional<std::pair<ErrorCode, std::string>> CheckUserArgument(
    std::string_view args, std::string_view form) {
  if (args.empty() || args.find(' ') != std::string_view::npos) {
    return std::pair{ErrorCode::kBadSyntax, std::string(form)};
  }
  return std::nullopt;
}

std::optional<std::pair<ErrorCode, std::string>> CheckPrivacyArgument(
    std::string_view args, std::string_view form) {
  if (args == "open" || args == "ask") return std::nullopt;
  return std::pair{ErrorCode::kBadSyntax, std::string(form)};
}

std::string FormatOkJoinRoom(std::string_view room) {
  return Join("OK JOIN", room);
}

std::string FormatOkPart(std::string_view room) {
  return Join("OK PART", room);
}

std::string FormatOkMesgRoom(std::string_view room, size_t count) {
  return "OK MESG " + std::string(room) + " " + std::to_string(count) + "\n";
}

std::string FormatRoomList(std::string_view room,
                           const std::vector<std::string>& names) {
  return Join("LIST " + std::string(room), Joined(names));
}

std::string FormatRooms(
    const std::vector<std::pair<std::string, size_t>>& rooms) {
  std::vector<std::string> items;
  items.reserve(rooms.size());
  for (const auto& [name, count] : rooms) {
    items.push_back(name + ":" + std::to_string(count));
  }
  return Join("ROOMS", Joined(items));
}

std::string FormatOkWith(std::string_view verb, std::string_view arg) {
  return Join("OK " + std::string(verb), arg);
}

std::string FormatChats(const std::vector<std::string>& names) {
  return Join("CHATS", Joined(names));
}

std::string FormatRoomMesgPush(std::string_view room, std::string_view from,
                               std::string_view text) {
  std::string line;
  line.reserve(room.size() + from.size() + text.size() + 8);
  line.append("MESG ").append(room).append(" ").append(from).append(" ");
  line.append(text).append("\n");
  return line;
}

std::string FormatRoomJoined(std::string_view room, std::string_view name) {
  return Join("JOINED " + std::string(room), name);
}

std::string FormatRoomLeft(std::string_view room, std::string_view name) {
  return Join("LEFT " + std::string(room), name);
}

std::string FormatConsentPush(std::string_view kind, std::string_view name) {
  return Join(kind, name);
}

}  // namespace chat::protocol
