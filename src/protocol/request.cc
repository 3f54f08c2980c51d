// ParseRequest: one client line to a request, or to the exact error
// PROTOCOL.md prescribes for it.
#include "protocol/request.h"

#include <array>
#include <optional>

#include "protocol/rooms.h"
#include "protocol/text.h"

namespace chat::protocol {
namespace {

struct VerbSpec {
  std::string_view name;
  Verb verb;
  std::string_view form;  // the correct form, the detail of kBadSyntax
};

constexpr std::array<VerbSpec, 6> kVerbs = {{
    {"JOIN", Verb::kJoin, "JOIN <username>"},
    {"LIST", Verb::kList, "LIST"},
    {"MESG", Verb::kMesg, "MESG <username> <text>"},
    {"BCST", Verb::kBcst, "BCST <text>"},
    {"QUIT", Verb::kQuit, "QUIT"},
    {"PING", Verb::kPing, "PING [<token>]"},
}};

// Rooms and private-message requests (version 2).
constexpr std::array<VerbSpec, 8> kRoomVerbs = {{
    {"PART", Verb::kPart, "PART <room>"},
    {"ROOMS", Verb::kRooms, "ROOMS"},
    {"PRIVACY", Verb::kPrivacy, "PRIVACY open|ask"},
    {"INVITE", Verb::kInvite, "INVITE <username>"},
    {"ACCEPT", Verb::kAccept, "ACCEPT <username>"},
    {"REJECT", Verb::kReject, "REJECT <username>"},
    {"END", Verb::kEnd, "END <username>"},
    {"CHATS", Verb::kChats, "CHATS"},
}};

const VerbSpec* FindVerb(std::string_view word) {
  for (const VerbSpec& candidate : kVerbs) {
    if (candidate.name == word) return &candidate;
  }
  for (const VerbSpec& candidate : kRoomVerbs) {
    if (candidate.name == word) return &candidate;
  }
  return nullptr;
}

RequestError BadSyntax(const VerbSpec& spec) {
  return {ErrorCode::kBadSyntax, std::string(spec.form)};
}

}  // namespace

std::variant<Request, RequestError> ParseRequest(std::string_view line) {
  // The verb runs to the first space; `args` is everything after that one
  // space, and has_args tells "JOIN" (no space) from "JOIN " (empty args).
  const size_t space = line.find(' ');
  const std::string_view verb_word = line.substr(0, space);
  const bool has_args = space != std::string_view::npos;
  const std::string_view args =
      has_args ? line.substr(space + 1) : std::string_view();

  const VerbSpec* spec = FindVerb(verb_word);
  if (spec == nullptr) {
    return RequestError{ErrorCode::kUnknownMessage, std::string(verb_word)};
  }

  Request request{spec->verb, {}, {}};
  // The first argument, when it names a room, must follow the room rule.
  auto room_error = [](std::string_view room) -> std::optional<RequestError> {
    if (auto error = CheckRoomArgument(room)) {
      return RequestError{error->first, std::move(error->second)};
    }
    return std::nullopt;
  };
  switch (spec->verb) {
    case Verb::kList:
      if (has_args && IsRoomTarget(args)) {
        if (auto error = room_error(args)) return *error;
        request.name = args;
        return request;
      }
      [[fallthrough]];
    case Verb::kQuit:
    case Verb::kRooms:
    case Verb::kChats:
      if (has_args) return BadSyntax(*spec);
      return request;
    case Verb::kJoin:
      if (args.empty()) return BadSyntax(*spec);
      if (IsRoomTarget(args)) {
        if (auto error = room_error(args)) return *error;
        request.name = args;
        return request;
      }
      if (!IsValidUsername(args)) {
        return RequestError{ErrorCode::kInvalidUsername, std::string(args)};
      }
      request.name = args;
      return request;
    case Verb::kMesg: {
      // An empty name ("MESG  hi") is a missing argument, not a name; a
      // non-empty one that breaks the username rule is left to the lookup.
      const size_t gap = args.find(' ');
      if (gap == 0 || gap == std::string_view::npos || gap + 1 == args.size()) {
        return BadSyntax(*spec);
      }
      request.name = args.substr(0, gap);
      request.text = args.substr(gap + 1);
      if (IsRoomTarget(request.name)) {
        if (auto error = room_error(request.name)) return *error;
      }
      return request;
    }
    case Verb::kBcst:
      if (args.empty()) return BadSyntax(*spec);
      request.text = args;
      return request;
    case Verb::kPing:
      // "PING" has no token; "PING " announces one and gives none.
      if (has_args && args.empty()) return BadSyntax(*spec);
      request.text = args;
      return request;
    case Verb::kPart:
      if (!IsRoomTarget(args)) return BadSyntax(*spec);
      if (auto error = room_error(args)) return *error;
      request.name = args;
      return request;
    case Verb::kPrivacy:
      if (CheckPrivacyArgument(args, spec->form)) return BadSyntax(*spec);
      request.text = args;
      return request;
    case Verb::kInvite:
    case Verb::kAccept:
    case Verb::kReject:
    case Verb::kEnd:
      if (CheckUserArgument(args, spec->form)) return BadSyntax(*spec);
      request.name = args;
      return request;
  }
  return BadSyntax(*spec);  // not reached: every verb is handled above
}

std::string_view VerbName(Verb verb) {
  for (const VerbSpec& spec : kVerbs) {
    if (spec.verb == verb) return spec.name;
  }
  for (const VerbSpec& spec : kRoomVerbs) {
    if (spec.verb == verb) return spec.name;
  }
  return "?";
}

}  // namespace chat::protocol
