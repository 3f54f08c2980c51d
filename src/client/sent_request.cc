// DescribeRequest: reads our own request line with the protocol's parser, so
// the client classifies a line exactly as the server will.
#include "client/sent_request.h"

#include <variant>

#include "protocol/request.h"

namespace chat::client {

SentRequest DescribeRequest(std::string_view line) {
  SentRequest sent;
  const auto parsed = protocol::ParseRequest(line);
  const auto* request = std::get_if<protocol::Request>(&parsed);
  if (request == nullptr) {
    // A JOIN whose name breaks the rule is still a JOIN attempt: the server
    // answers Invalid Username, and the name prompt must ask again.
    const auto& error = std::get<protocol::RequestError>(parsed);
    if (error.code == protocol::ErrorCode::kInvalidUsername) {
      sent.kind = SentRequest::Kind::kJoin;
      sent.name = line.substr(line.find(' ') + 1);
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
  }
  return sent;
}

}  // namespace chat::client
