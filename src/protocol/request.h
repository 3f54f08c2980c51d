// Requests from a client to the server: parsing one line into a request or
// into the exact error PROTOCOL.md prescribes.
#ifndef CHAT_PROTOCOL_REQUEST_H_
#define CHAT_PROTOCOL_REQUEST_H_

#include <string>
#include <string_view>
#include <variant>

#include "protocol/file_request.h"
#include "protocol/reply.h"

namespace chat::protocol {

enum class Verb {
  kJoin,
  kList,
  kMesg,
  kBcst,
  kQuit,
  kPing,
  // Accounts and history (version 2).
  kRegister,
  kLogin,
  kPassword,
  kUnregister,
  kHistory,
  // Rooms and private-message requests (version 2); JOIN, LIST and MESG
  // also take a <room> (protocol/rooms.h).
  kPart,
  kRooms,
  kPrivacy,
  kInvite,
  kAccept,
  kReject,
  kEnd,
  kChats,
  // File transfer (version 2; protocol/file_request.h).
  kFile,
};

// Views into the parsed line; valid as long as the line is.
struct Request {
  Verb verb;
  // JOIN: the username or room; MESG: the recipient or room; LIST, PART: the
  // room ("" for a plain LIST); INVITE, ACCEPT, REJECT, END: the user;
  // REGISTER, LOGIN: the username; HISTORY: the target.
  std::string_view name;
  // MESG, BCST: the text; PING: the token (may be ""); PRIVACY: the setting.
  std::string_view text;
  // REGISTER, LOGIN, UNREGISTER: the password; PASSWORD: the old one.
  std::string_view password;
  std::string_view new_password;  // PASSWORD
  // HISTORY: `name` is the target ("*", a username or a room), then the
  // count (default 50) and the id to page back from (0: from now).
  uint32_t count = 0;
  uint64_t before = 0;
  FileArgs file;  // FILE
};

struct RequestError {
  ErrorCode code;
  std::string detail;  // e.g. "MESG <username> <text>" for kBadSyntax
};

// Parses one line that already passed framing and IsValidText and is not
// empty. Rules: verbs are case-sensitive; the verb and each argument are
// separated by single spaces; <text> is the rest of the line and must not be
// empty. Errors:
//   unknown verb                       -> kUnknownMessage, detail: the verb
//                                         (the line up to its first space;
//                                         "join Bob" -> "join")
//   JOIN without a name                -> kBadSyntax, "JOIN <username>"
//   JOIN with a name breaking the rule -> kInvalidUsername, detail: the name
//                                         (the whole rest: "JOIN a b" -> "a b")
//   MESG missing name or text          -> kBadSyntax, "MESG <username> <text>"
//   BCST without text                  -> kBadSyntax, "BCST <text>"
//   LIST / QUIT with arguments         -> kBadSyntax, "LIST" / "QUIT"
//   "PING " with an empty token        -> kBadSyntax, "PING [<token>]"
// "JOIN " and "BCST " count as missing their argument. For MESG the name ends
// at the first space after it and an empty name ("MESG  Bob hi") is missing.
// Texts keep every byte after their separating space, leading spaces
// included ("BCST  hi" -> " hi"); the PING token likewise is the whole rest.
// A MESG recipient that is not a valid username parses fine; the lookup then
// answers kUnknownRecipient.
// Version 2 (accounts, history):
//   REGISTER/LOGIN without name or password -> kBadSyntax
//   REGISTER/LOGIN with a bad name          -> kInvalidUsername
//   a password breaking the rule            -> kInvalidPassword (REGISTER,
//                                              LOGIN, UNREGISTER, and the
//                                              new one of PASSWORD; a bad old
//                                              one of PASSWORD cannot match:
//                                              the session says Login Failed)
//   HISTORY without a target, with a count outside 1-100 or a before-id
//   that is not a positive integer, or with more arguments -> kBadSyntax
// Version 2 (rooms.h): an argument of JOIN, LIST, MESG or PART that starts
// with '#' is a room and must follow the room rule (kInvalidRoom, detail:
// the name); "LIST x" without '#' stays kBadSyntax "LIST". ROOMS and CHATS
// take nothing; PRIVACY takes "open" or "ask"; INVITE, ACCEPT, REJECT and
// END take one name. FILE: see ParseFileArgs.
std::variant<Request, RequestError> ParseRequest(std::string_view line);

std::string_view VerbName(Verb verb);

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_REQUEST_H_
