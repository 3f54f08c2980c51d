// ParseServerLine: classifies one line the server sent. It trusts nothing:
// any byte string gives a result, and a line that does not have the shape of
// a known kind is kUnknown.
#include "protocol/server_line.h"

namespace chat::protocol {
namespace {

// Splits at the first space: what comes before it, and after it (empty
// either way when there is no space; `found` tells the two apart).
struct Split {
  std::string_view head;
  std::string_view tail;
  bool found;
};

Split SplitAtSpace(std::string_view s) {
  const size_t space = s.find(' ');
  if (space == std::string_view::npos) return {s, {}, false};
  return {s.substr(0, space), s.substr(space + 1), true};
}

std::vector<std::string_view> SplitNames(std::string_view list) {
  std::vector<std::string_view> names;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    if (!name.empty()) names.push_back(name);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return names;
}

}  // namespace

ServerLine ParseServerLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  ServerLine result;
  const Split word = SplitAtSpace(line);
  const std::string_view verb = word.head;
  const std::string_view rest = word.tail;

  if (verb == "HELLO") {
    result.kind = ServerLineKind::kHello;
    result.first = rest;
  } else if (verb == "OK" && !rest.empty()) {
    const Split ok = SplitAtSpace(rest);
    result.kind = ServerLineKind::kOk;
    result.first = ok.head;
    result.second = ok.tail;
  } else if (verb == "LIST") {
    result.kind = ServerLineKind::kList;
    result.names = SplitNames(rest);
  } else if (verb == "PONG") {
    result.kind = ServerLineKind::kPong;
    result.first = rest;
  } else if (verb == "ERR") {
    // Phrases never hold a colon, so the first one ends the phrase; the
    // detail may hold anything.
    const size_t colon = rest.find(':');
    result.first = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      result.second = rest.substr(colon + 1);
      if (!result.second.empty() && result.second.front() == ' ') {
        result.second.remove_prefix(1);
      }
    }
    if (!result.first.empty()) result.kind = ServerLineKind::kError;
  } else if (verb == "MESG" || verb == "BCST") {
    const Split push = SplitAtSpace(rest);
    if (push.found && !push.head.empty()) {
      result.kind =
          verb == "MESG" ? ServerLineKind::kMesg : ServerLineKind::kBcst;
      result.first = push.head;
      result.second = push.tail;
    }
  } else if ((verb == "JOINED" || verb == "LEFT") && !rest.empty()) {
    result.kind =
        verb == "JOINED" ? ServerLineKind::kJoined : ServerLineKind::kLeft;
    result.first = rest;
  } else if (verb == "BYE") {
    result.kind = ServerLineKind::kBye;
    result.first = rest;
  }

  if (result.kind == ServerLineKind::kUnknown) {
    result.first = line;
    result.second = {};
  }
  return result;
}

}  // namespace chat::protocol
