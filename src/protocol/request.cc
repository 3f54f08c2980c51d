// ParseRequest: one client line to a request, or to the exact error
// PROTOCOL.md prescribes for it.
#include "protocol/request.h"

#include <array>
#include <cstdint>
#include <optional>

#include "protocol/decimal.h"
#include "protocol/password_rule.h"
#include "protocol/rooms.h"
#include "protocol/text.h"

namespace chat::protocol {
namespace {

struct VerbSpec {
  std::string_view name;
  Verb verb;
  std::string_view form;  // the correct form, the detail of kBadSyntax
};

constexpr std::array<VerbSpec, 11> kVerbs = {{
    {"JOIN", Verb::kJoin, "JOIN <username>"},
    {"LIST", Verb::kList, "LIST"},
    {"MESG", Verb::kMesg, "MESG <username> <text>"},
    {"BCST", Verb::kBcst, "BCST <text>"},
    {"QUIT", Verb::kQuit, "QUIT"},
    {"PING", Verb::kPing, "PING [<token>]"},
    {"REGISTER", Verb::kRegister, "REGISTER <username> <password>"},
    {"LOGIN", Verb::kLogin, "LOGIN <username> <password>"},
    {"PASSWORD", Verb::kPassword, "PASSWORD <old> <new>"},
    {"UNREGISTER", Verb::kUnregister, "UNREGISTER <password>"},
    {"HISTORY", Verb::kHistory,
     "HISTORY <target> [<count> [<before-id>]] (count 1-100)"},
}};

constexpr uint32_t kDefaultHistoryCount = 50;
constexpr uint32_t kMaxHistoryCount = 100;

// A positive decimal number without sign or leading zero, at most `max`.
std::optional<uint64_t> ParseNumber(std::string_view text, uint64_t max) {
  auto value = ParseDecimal(text, max);
  if (!value || *value == 0) return std::nullopt;
  return value;
}

// "<username> <password>" for REGISTER and LOGIN.
std::optional<RequestError> ParseCredentials(const VerbSpec& spec,
                                             std::string_view args,
                                             Request* request) {
  const size_t gap = args.find(' ');
  if (gap == 0 || gap == std::string_view::npos || gap + 1 == args.size()) {
    return RequestError{ErrorCode::kBadSyntax, std::string(spec.form)};
  }
  request->name = args.substr(0, gap);
  request->password = args.substr(gap + 1);
  if (!IsValidUsername(request->name)) {
    return RequestError{ErrorCode::kInvalidUsername,
                        std::string(request->name)};
  }
  if (!IsValidPasswordText(request->password)) {
    return RequestError{ErrorCode::kInvalidPassword,
                        "8 to 128 bytes, no spaces"};
  }
  return std::nullopt;
}

std::optional<RequestError> ParseHistory(const VerbSpec& spec,
                                         std::string_view args,
                                         Request* request) {
  RequestError bad{ErrorCode::kBadSyntax, std::string(spec.form)};
  std::string_view parts[4];
  size_t count = 0;
  while (count < 4) {
    size_t gap = args.find(' ');
    parts[count++] = args.substr(0, gap);
    if (gap == std::string_view::npos) break;
    args = args.substr(gap + 1);
    if (count == 3) return bad;  // a fourth argument
  }
  if (parts[0].empty()) return bad;
  request->name = parts[0];
  request->count = kDefaultHistoryCount;
  if (count >= 2) {
    auto n = ParseNumber(parts[1], kMaxHistoryCount);
    if (!n) return bad;
    request->count = static_cast<uint32_t>(*n);
  }
  if (count >= 3) {
    auto before = ParseNumber(parts[2], INT64_MAX);
    if (!before) return bad;
    request->before = *before;
  }
  return std::nullopt;
}

// Rooms and private-message requests (version 2).
constexpr std::array<VerbSpec, 9> kRoomVerbs = {{
    {"PART", Verb::kPart, "PART <room>"},
    {"ROOMS", Verb::kRooms, "ROOMS"},
    {"PRIVACY", Verb::kPrivacy, "PRIVACY open|ask"},
    {"INVITE", Verb::kInvite, "INVITE <username>"},
    {"ACCEPT", Verb::kAccept, "ACCEPT <username>"},
    {"REJECT", Verb::kReject, "REJECT <username>"},
    {"END", Verb::kEnd, "END <username>"},
    {"CHATS", Verb::kChats, "CHATS"},
    {"FILE", Verb::kFile, "FILE OFFER|ACCEPT|REJECT|DATA|ACK|END|CANCEL ..."},
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

  Request request{spec->verb, {}, {}, {}, {}, 0, 0, {}};
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
    case Verb::kRegister:
    case Verb::kLogin:
      if (auto error = ParseCredentials(*spec, args, &request)) return *error;
      return request;
    case Verb::kPassword: {
      const size_t gap = args.find(' ');
      if (gap == 0 || gap == std::string_view::npos || gap + 1 == args.size()) {
        return BadSyntax(*spec);
      }
      request.password = args.substr(0, gap);
      request.new_password = args.substr(gap + 1);
      if (!IsValidPasswordText(request.new_password)) {
        return RequestError{ErrorCode::kInvalidPassword,
                            "8 to 128 bytes, no spaces"};
      }
      return request;
    }
    case Verb::kUnregister:
      if (args.empty()) return BadSyntax(*spec);
      request.password = args;
      if (!IsValidPasswordText(args)) {
        return RequestError{ErrorCode::kInvalidPassword,
                            "8 to 128 bytes, no spaces"};
      }
      return request;
    case Verb::kHistory:
      if (auto error = ParseHistory(*spec, args, &request)) return *error;
      if (IsRoomTarget(request.name)) {
        if (auto error = room_error(request.name)) return *error;
      }
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
    case Verb::kFile:
      if (auto error = ParseFileArgs(args, &request.file)) {
        return RequestError{error->first, std::move(error->second)};
      }
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
