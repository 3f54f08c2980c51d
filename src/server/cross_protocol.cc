// The shapes of an HTTP request head that no chat line has.
#include "server/cross_protocol.h"

#include <cctype>

namespace chat::server {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
      return false;
    }
  }
  return true;
}

bool IsRequestLine(std::string_view line) {
  size_t method_end = line.find(' ');
  if (method_end == 0 || method_end == std::string_view::npos) return false;
  for (char c : line.substr(0, method_end)) {
    if (c < 'A' || c > 'Z') return false;
  }
  size_t target_end = line.find(' ', method_end + 1);
  if (target_end == std::string_view::npos || target_end == method_end + 1) {
    return false;
  }
  std::string_view version = line.substr(target_end + 1);
  return version.starts_with("HTTP/") && version.size() > 5 &&
         std::isdigit(static_cast<unsigned char>(version[5]));
}

}  // namespace

bool LooksLikeHttp(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  return IsRequestLine(line) || StartsWithNoCase(line, "host:");
}

}  // namespace chat::server
