// The chat-admin end of the running server's control socket
// (store/control.h): one request line, the answer until the server closes.
#ifndef CHAT_ADMIN_CONTROL_CLIENT_H_
#define CHAT_ADMIN_CONTROL_CLIENT_H_

#include <optional>
#include <string>
#include <string_view>

namespace chat::admin {

// The answer's first line (without its LF) to `request` sent to the server
// running on `data_dir`; nullopt with *error saying why (no server runs
// there, it did not answer in time).
std::optional<std::string> AskServer(const std::string& data_dir,
                                     std::string_view request,
                                     std::string* error);

}  // namespace chat::admin

#endif  // CHAT_ADMIN_CONTROL_CLIENT_H_
