// The protocol's rule for a password (PROTOCOL.md "<password>"), for every
// program that accepts one: the server, and chat-admin's reset-password.
#ifndef CHAT_PROTOCOL_PASSWORD_RULE_H_
#define CHAT_PROTOCOL_PASSWORD_RULE_H_

#include <string_view>

namespace chat::protocol {

// 8 to 128 bytes of valid UTF-8 without spaces or control characters.
bool IsValidPasswordText(std::string_view password);

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_PASSWORD_RULE_H_
