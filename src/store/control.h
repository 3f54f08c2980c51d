// ControlSocket: how chat-admin reaches the running server. A Unix stream
// socket, kControlFile in the data directory, that the store process
// listens on (it already owns the data directory and the database; the
// broker never touches disk). Only the server's own user may use it: the
// socket file is created with mode 0600, and every connection's peer
// credentials (SO_PEERCRED) are checked against our uid, so that a file
// made reachable by a careless chmod is still refused.
//
// One request line per connection ("KICK Alice spamming", control_protocol
// in store/moderation.h), one or more answer lines, then the store closes
// it. One connection is served at a time; others wait in the backlog, and a
// connection that sends no full line within kControlTimeout is dropped, so
// a stuck chat-admin cannot hold the store.
#ifndef CHAT_STORE_CONTROL_H_
#define CHAT_STORE_CONTROL_H_

#include <poll.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/unique_fd.h"

namespace chat::store {

inline constexpr std::string_view kControlFile = "chat-server.control";
inline constexpr std::chrono::seconds kControlTimeout{5};
// Longest request line.
inline constexpr size_t kMaxControlLine = 1024;

class ControlSocket {
 public:
  using Clock = std::chrono::steady_clock;
  // Answers one request line (without its LF) with the text to send back.
  using Handler = std::function<std::string(std::string_view line)>;

  // Replaces a stale socket file at `path` and listens on it; nullopt with
  // *error set on failure.
  static std::optional<ControlSocket> Open(const std::string& path,
                                           std::string* error);
  ControlSocket(ControlSocket&&) = default;
  ~ControlSocket();

  // What to poll: the listener while no connection is served, else the
  // connection.
  pollfd PollEntry() const;
  // Milliseconds until the served connection times out; -1 if none.
  int TimeoutMs(Clock::time_point now) const;
  // After poll: accepts, reads, answers with `handler`, closes, times out.
  void OnReady(short revents, const Handler& handler);

 private:
  ControlSocket(std::string path, ipc::UniqueFd listener)
      : path_(std::move(path)), listener_(std::move(listener)) {}
  void Accept();
  void Finish(std::string_view answer);

  std::string path_;
  ipc::UniqueFd listener_;
  ipc::UniqueFd client_;
  std::string line_;
  Clock::time_point deadline_;
};

}  // namespace chat::store

#endif  // CHAT_STORE_CONTROL_H_
