// Version 2's rooms and private-message requests on the wire: the room-name
// rule, the parsing of their verbs' arguments (called by ParseRequest), and
// the answers and pushes the server writes for them.
#ifndef CHAT_PROTOCOL_ROOMS_H_
#define CHAT_PROTOCOL_ROOMS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/reply.h"

namespace chat::protocol {

inline constexpr size_t kMaxRoomNameLength = 32;  // after the '#'

// A target naming a room: it starts with '#' (valid or not).
inline bool IsRoomTarget(std::string_view target) {
  return !target.empty() && target.front() == '#';
}

// #[A-Za-z0-9_-]{1,32}
bool IsValidRoomName(std::string_view room);

// The argument checks of the verbs this feature adds or extends, for
// ParseRequest. Each returns nullopt when `args` is well formed, else the
// error to answer. `form` is the verb's correct form (Bad Syntax detail).
//   a room argument (JOIN #x, LIST #x, PART, MESG #x): '#'-names that break
//     the rule -> Invalid Room; PART of a name without '#' -> Bad Syntax;
//   a username argument (INVITE, ACCEPT, REJECT, END): one token, no space,
//     not empty -> else Bad Syntax (a token that is no valid username is
//     left to the lookup, as for MESG);
//   PRIVACY: exactly "open" or "ask".
std::optional<std::pair<ErrorCode, std::string>> CheckRoomArgument(
    std::string_view room);
std::optional<std::pair<ErrorCode, std::string>> CheckUserArgument(
    std::string_view args, std::string_view form);
std::optional<std::pair<ErrorCode, std::string>> CheckPrivacyArgument(
    std::string_view args, std::string_view form);

// Answers.
std::string FormatOkJoinRoom(std::string_view room);  // OK JOIN <room>
std::string FormatOkPart(std::string_view room);      // OK PART <room>
std::string FormatOkMesgRoom(std::string_view room,
                             size_t count);  // OK MESG <room> <n>
// "LIST <room> a,b" ("LIST <room>" when empty, which a room never is).
std::string FormatRoomList(std::string_view room,
                           const std::vector<std::string>& names);
// "ROOMS #a:3,#b:1", or "ROOMS" when there is none.
std::string FormatRooms(
    const std::vector<std::pair<std::string, size_t>>& rooms);
// "OK <VERB> <arg>" for PRIVACY, INVITE, ACCEPT, REJECT and END.
std::string FormatOkWith(std::string_view verb, std::string_view arg);
// "CHATS a,b", or "CHATS" when there is none.
std::string FormatChats(const std::vector<std::string>& names);

// Pushes.
std::string FormatRoomMesgPush(std::string_view room, std::string_view from,
                               std::string_view text);
std::string FormatRoomJoined(std::string_view room, std::string_view name);
std::string FormatRoomLeft(std::string_view room, std::string_view name);
// "<KIND> <name>": INVITE, ACCEPTED, REJECTED, ENDED.
std::string FormatConsentPush(std::string_view kind, std::string_view name);

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_ROOMS_H_
