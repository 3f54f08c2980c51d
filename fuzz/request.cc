// Fuzz target: one line that passed framing and the text rule, parsed into a
// request (every verb, version 1 and 2) or the error PROTOCOL.md prescribes.
#include "protocol/request.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz/check.h"
#include "protocol/reply.h"
#include "protocol/rooms.h"
#include "protocol/text.h"

using chat::fuzz::Check;
using chat::fuzz::Inside;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  // ParseRequest's contract: what the session hands it.
  if (line.empty() || !chat::protocol::IsValidText(line)) return 0;
  auto parsed = chat::protocol::ParseRequest(line);
  if (auto* error = std::get_if<chat::protocol::RequestError>(&parsed)) {
    std::string answer =
        chat::protocol::FormatError(error->code, error->detail);
    Check(answer.rfind("ERR ", 0) == 0);
    Check(answer.find('\n') == answer.size() - 1);
    // The detail echoes client bytes: still valid text.
    Check(chat::protocol::IsValidText(answer.substr(0, answer.size() - 1)));
    return 0;
  }
  const auto& request = std::get<chat::protocol::Request>(parsed);
  Check(Inside(request.name, line) && Inside(request.text, line) &&
        Inside(request.password, line) && Inside(request.new_password, line));
  switch (request.verb) {
    case chat::protocol::Verb::kJoin:
      Check(chat::protocol::IsRoomTarget(request.name)
                ? chat::protocol::IsValidRoomName(request.name)
                : chat::protocol::IsValidUsername(request.name));
      break;
    case chat::protocol::Verb::kBcst:
      Check(!request.text.empty());
      break;
    case chat::protocol::Verb::kMesg:
      Check(!request.name.empty() && !request.text.empty());
      break;
    case chat::protocol::Verb::kHistory:
      Check(request.count >= 1 && request.count <= 100);
      break;
    default:
      break;
  }
  return 0;
}
