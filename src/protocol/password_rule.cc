// The password rule: the length, then the text rules every line obeys, then
// no space (a space would end the password on the request line).
#include "protocol/password_rule.h"

#include "protocol/text.h"

namespace chat::protocol {

bool IsValidPasswordText(std::string_view password) {
  if (password.size() < 8 || password.size() > 128) return false;
  if (!IsValidText(password)) return false;
  for (unsigned char c : password) {
    if (c <= ' ' || c == 0x7F) return false;  // TAB and space among them
  }
  return true;
}

}  // namespace chat::protocol
