// Cross-protocol requests (PROTOCOL.md "Limits that protect everyone"): a
// web page can make a browser POST to the chat port, and without this the
// body's lines would be obeyed as the user's. A connection whose line looks
// like HTTP before it registers is closed without an answer, as Redis does
// ("Possible SECURITY ATTACK detected").
#ifndef CHAT_SERVER_CROSS_PROTOCOL_H_
#define CHAT_SERVER_CROSS_PROTOCOL_H_

#include <string_view>

namespace chat::server {

// True for an HTTP request line ("POST / HTTP/1.1", "PRI * HTTP/2.0": a
// method of capital letters, a target, a version) or a Host header
// ("Host: x", in any letter case). No line of the chat protocol has either
// shape: verbs are followed by a name or text, never by " HTTP/".
bool LooksLikeHttp(std::string_view line);

}  // namespace chat::server

#endif  // CHAT_SERVER_CROSS_PROTOCOL_H_
