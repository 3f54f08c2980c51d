// Renderer: turns what happened in the chat into the text the user reads.
// Every piece of text that came from the network (or from a user) goes
// through protocol::SanitizeForTerminal here, and colour codes are added
// only when the renderer was made with colour on.
#ifndef CHAT_CLIENT_RENDERER_H_
#define CHAT_CLIENT_RENDERER_H_

#include <string>
#include <string_view>
#include <vector>

#include "client/history.h"
#include "client/sent_request.h"

namespace chat::client {

class Renderer {
 public:
  explicit Renderer(bool color) : color_(color) {}

  bool color() const { return color_; }

  std::string PrivateFrom(std::string_view from, std::string_view text) const;
  std::string PrivateTo(std::string_view to, std::string_view text) const;
  std::string Broadcast(std::string_view from, std::string_view text) const;
  std::string SendingBroadcast(std::string_view self) const;
  std::string Joined(std::string_view name) const;
  std::string Left(std::string_view name) const;
  // A count line, then one name per line; `self` is marked "(you)".
  std::vector<std::string> UserList(const std::vector<std::string_view>& names,
                                    std::string_view self) const;
  std::string Pong(std::string_view token) const;
  std::string Bye(std::string_view reason) const;
  // An ERR line as a sentence; `request` is what it answers, if known.
  std::string ServerError(std::string_view phrase, std::string_view detail,
                          const SentRequest* request) const;
  // A line of a kind this client does not know, shown as it came.
  std::string Unknown(std::string_view line) const;
  // The client's own messages: status and errors.
  std::string Notice(std::string_view text) const;
  std::string Error(std::string_view text) const;
  std::string HistoryLine(const HistoryEntry& entry) const;

 private:
  // `text` (already safe) wrapped in the SGR `code` when colour is on.
  std::string Paint(std::string_view code, std::string_view text) const;
  std::string Name(std::string_view name) const;

  bool color_;
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_RENDERER_H_
