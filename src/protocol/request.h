// Requests from a client to the server: parsing one line into a request or
// into the exact error PROTOCOL.md prescribes.
#ifndef CHAT_PROTOCOL_REQUEST_H_
#define CHAT_PROTOCOL_REQUEST_H_

#include <string>
#include <string_view>
#include <variant>

#include "protocol/reply.h"

namespace chat::protocol {

enum class Verb { kJoin, kList, kMesg, kBcst, kQuit, kPing };

// Views into the parsed line; valid as long as the line is.
struct Request {
  Verb verb;
  std::string_view name;  // JOIN: the username; MESG: the recipient
  std::string_view text;  // MESG, BCST: the text; PING: the token (may be "")
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
std::variant<Request, RequestError> ParseRequest(std::string_view line);

std::string_view VerbName(Verb verb);

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_REQUEST_H_
