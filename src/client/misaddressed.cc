// MisaddressedTo: the "Name :text" shape, matched against the roster.
#include "client/misaddressed.h"

#include "protocol/text.h"

namespace chat::client {

std::optional<std::string> MisaddressedTo(
    std::string_view line, const std::vector<std::string>& online,
    std::string_view self) {
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view name = line.substr(0, space);
  const size_t colon = line.find_first_not_of(' ', space);
  if (colon == std::string_view::npos || line[colon] != ':') {
    return std::nullopt;
  }
  if (!protocol::IsValidUsername(name) ||
      protocol::EqualsIgnoreCase(name, self)) {
    return std::nullopt;
  }
  for (const std::string& user : online) {
    if (protocol::EqualsIgnoreCase(user, name)) return user;
  }
  return std::nullopt;
}

}  // namespace chat::client
