// DescribeRequest: reads our own request line with the protocol's parser, so
// the client classifies a line exactly as the server will.
#include "client/sent_request.h"

#include <algorithm>
#include <variant>

#include "protocol/request.h"

namespace chat::client {

SentRequest DescribeRequest(std::string_view line) {
  SentRequest sent;
  if (line.starts_with("FILE ")) {
    const std::string_view rest = line.substr(5);
    const size_t space = rest.find(' ');
    sent.kind = SentRequest::Kind::kFile;
    sent.name = rest.substr(0, space);
    if (space != std::string_view::npos) sent.text = rest.substr(space + 1);
    return sent;
  }
  const auto parsed = protocol::ParseRequest(line);
  const auto* request = std::get_if<protocol::Request>(&parsed);
  if (request == nullptr) {
    // A malformed JOIN is still a JOIN attempt: the server refuses it, and
    // the name prompt must ask again.
    if (line == "JOIN" || line.substr(0, 5) == "JOIN ") {
      sent.kind = SentRequest::Kind::kJoin;
      sent.name = line.substr(std::min<size_t>(line.size(), 5));
    }
    return sent;  // otherwise the server answers ERR and nothing else
  }
  sent.name = request->name;
  sent.text = request->text;
  switch (request->verb) {
    case protocol::Verb::kJoin:
      sent.kind = SentRequest::Kind::kJoin;
      break;
    case protocol::Verb::kMesg:
      sent.kind = SentRequest::Kind::kMesg;
      break;
    case protocol::Verb::kBcst:
      sent.kind = SentRequest::Kind::kBcst;
      break;
    case protocol::Verb::kList:
      sent.kind = SentRequest::Kind::kList;
      break;
    case protocol::Verb::kQuit:
      sent.kind = SentRequest::Kind::kQuit;
      break;
    case protocol::Verb::kPing:
      sent.kind = SentRequest::Kind::kPing;
      break;
    // Rooms and private-message requests: answered by their own lines.
    case protocol::Verb::kPart:
    case protocol::Verb::kRooms:
    case protocol::Verb::kPrivacy:
    case protocol::Verb::kInvite:
    case protocol::Verb::kAccept:
    case protocol::Verb::kReject:
    case protocol::Verb::kEnd:
    case protocol::Verb::kChats:
    case protocol::Verb::kFile:
      break;
    // Accounts and history: the password is not remembered.
    case protocol::Verb::kRegister:
      sent.kind = SentRequest::Kind::kRegister;
      break;
    case protocol::Verb::kLogin:
      sent.kind = SentRequest::Kind::kLogin;
      break;
    case protocol::Verb::kPassword:
      sent.kind = SentRequest::Kind::kPassword;
      break;
    case protocol::Verb::kUnregister:
      sent.kind = SentRequest::Kind::kUnregister;
      break;
    case protocol::Verb::kHistory:
      sent.kind = SentRequest::Kind::kHistory;
      return sent;  // HISTORY #room is still a history request
  }
  // JOIN and LIST of a room are room requests, not the name's JOIN or the
  // list of users (a MESG to a room stays a MESG).
  if (!sent.name.empty() && sent.name.front() == '#' &&
      sent.kind != SentRequest::Kind::kMesg) {
    sent.kind = SentRequest::Kind::kOther;
  }
  return sent;
}

}  // namespace chat::client
