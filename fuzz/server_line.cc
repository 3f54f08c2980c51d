// Fuzz target: what the console client (and chat-bench) does with a line
// from the server: ParseServerLine, then the terminal-safe form of its
// parts that the renderer prints.
#include "protocol/server_line.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "protocol/text.h"

namespace {

using chat::fuzz::Check;
using chat::fuzz::Inside;

// Whatever a server sends, the screen gets valid text: no control byte but
// TAB, no C1 control, no broken UTF-8.
void CheckSafe(std::string_view text) {
  std::string shown = chat::protocol::SanitizeForTerminal(text);
  Check(chat::protocol::IsValidText(shown));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  chat::protocol::ServerLine parsed = chat::protocol::ParseServerLine(line);
  Check(Inside(parsed.first, line) && Inside(parsed.second, line));
  for (std::string_view name : parsed.names) {
    Check(!name.empty() && Inside(name, line));
    Check(name.find(',') == std::string_view::npos);
  }
  if (parsed.kind != chat::protocol::ServerLineKind::kList) {
    Check(parsed.names.empty());
  }
  CheckSafe(line);
  CheckSafe(parsed.first);
  CheckSafe(parsed.second);
  return 0;
}
