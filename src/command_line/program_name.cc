// ProgramName and VersionLine.
#include "command_line/program_name.h"

namespace chat::command_line {

std::string ProgramName(const char* argv0, std::string_view fallback) {
  std::string_view path = argv0 != nullptr ? argv0 : "";
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  return std::string(path.empty() ? fallback : path);
}

std::string VersionLine(std::string_view program, std::string_view installed,
                        std::string_view version) {
  std::string line(program);
  if (program != installed) line += " (" + std::string(installed) + ")";
  return line + " " + std::string(version);
}

}  // namespace chat::command_line
