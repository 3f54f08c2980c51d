// Reading what the server sends, for programs that talk to it (the client,
// the benchmark, the tests).
#ifndef CHAT_PROTOCOL_SERVER_LINE_H_
#define CHAT_PROTOCOL_SERVER_LINE_H_

#include <string>
#include <string_view>
#include <vector>

namespace chat::protocol {

enum class ServerLineKind {
  kHello,    // HELLO <text>           first = text
  kOk,       // OK <VERB> [<arg>]      first = verb, second = argument
  kList,     // LIST a,b,c             names
  kPong,     // PONG [<token>]         first = token
  kError,    // ERR <Phrase>[: detail] first = phrase, second = detail
  kMesg,     // MESG <from> <text>     first = from, second = text
  kBcst,     // BCST <from> <text>     first = from, second = text
  kJoined,   // JOINED <name>          first = name
  kLeft,     // LEFT <name>            first = name
  kBye,      // BYE <reason>           first = reason
  kUnknown,  // anything else          first = the whole line
};

// Views into the line; valid as long as the line is.
struct ServerLine {
  ServerLineKind kind = ServerLineKind::kUnknown;
  std::string_view first;
  std::string_view second;
  std::vector<std::string_view> names;  // kList only
};

// Accepts any bytes. One trailing LF and a CR before it are ignored, so a
// formatted line can be passed as is. Shapes (anything else is kUnknown):
//   HELLO, PONG, BYE: the argument may be empty or absent ("PONG");
//   OK needs a verb; ERR needs a phrase: the phrase ends at the first ':',
//   the detail is what follows, one space after the colon dropped;
//   LIST: names split at ',', empty pieces skipped ("LIST" -> no names);
//   MESG, BCST need "<from> <text>" with a non-empty from (text may be "");
//   JOINED, LEFT need a non-empty name (the whole rest of the line).
ServerLine ParseServerLine(std::string_view line);

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_SERVER_LINE_H_
