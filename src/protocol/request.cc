// ParseRequest: one client line to a request, or to the exact error
// PROTOCOL.md prescribes for it.
#include "protocol/request.h"

#include <array>

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

  const VerbSpec* spec = nullptr;
  for (const VerbSpec& candidate : kVerbs) {
    if (candidate.name == verb_word) spec = &candidate;
  }
  if (spec == nullptr) {
    return RequestError{ErrorCode::kUnknownMessage, std::string(verb_word)};
  }

  Request request{spec->verb, {}, {}};
  switch (spec->verb) {
    case Verb::kList:
    case Verb::kQuit:
      if (has_args) return BadSyntax(*spec);
      return request;
    case Verb::kJoin:
      if (args.empty()) return BadSyntax(*spec);
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
  }
  return BadSyntax(*spec);  // not reached: every verb is handled above
}

std::string_view VerbName(Verb verb) {
  for (const VerbSpec& spec : kVerbs) {
    if (spec.verb == verb) return spec.name;
  }
  return "?";
}

}  // namespace chat::protocol
