// Session: the client's conversation with the server, free of any I/O. It
// takes events (a server line, a typed line, end of input, Ctrl-C) and acts
// through SessionIo (send a request, show lines, set the prompt, finish), so
// the whole flow of CLIENT.md can be tested without sockets or terminals.
#ifndef CHAT_CLIENT_SESSION_H_
#define CHAT_CLIENT_SESSION_H_

#include <ctime>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/command_table.h"
#include "client/completion.h"
#include "client/history.h"
#include "client/renderer.h"
#include "client/sent_request.h"
#include "protocol/server_line.h"

namespace chat::client {

inline constexpr std::string_view kNamePrompt =
    "Enter JOIN followed by your username: ";

class SessionIo {
 public:
  virtual ~SessionIo() = default;
  // One request line, without its LF.
  virtual void Send(std::string_view request) = 0;
  // Lines for the user, in order, each without LF.
  virtual void Show(const std::vector<std::string>& lines) = 0;
  // The prompt of an interactive terminal (ignored otherwise).
  virtual void SetPrompt(std::string_view prompt) = 0;
  // The session is over: end the program with `exit_code`; `error`, when
  // not empty, is one line for standard error, in the usual form of a
  // program's diagnostics (lower case, no full stop, after the program's
  // name).
  virtual void Finish(int exit_code, std::string_view error) = 0;
};

class Session {
 public:
  struct Settings {
    std::optional<std::string> user;  // --user
    bool interactive = false;         // a person at a terminal
    std::string server;               // "host:port", for messages
    std::function<std::time_t()> clock = [] { return std::time(nullptr); };
  };

  Session(Settings settings, const Renderer& renderer, SessionIo& io);

  // From the connection.
  void OnConnected();
  void OnServerLine(std::string_view line);
  void OnServerLineTooLong();
  // The server closed the connection (`error` empty) or it broke.
  void OnServerClosed(std::string_view error);

  // From standard input. Lines are queued and handled in order, as soon as
  // the session can: none is handled before the name is settled.
  void OnInputLine(std::string line);
  void OnInputTooLong();
  void OnInputEnd();

  // Ctrl-C, SIGTERM, SIGHUP: leave with QUIT; a second one ends at once.
  void OnInterrupt();
  // No answer to QUIT came in time.
  void OnQuitTimeout();

  // Typed lines waiting to be handled (the caller stops reading when many).
  size_t backlog() const { return queue_.size(); }
  // QUIT was sent or the session is over: no more input is wanted.
  bool quitting() const { return state_ == State::kQuitting || done(); }
  bool done() const { return state_ == State::kDone; }
  const std::string& name() const { return name_; }
  // The users seen online so far and the rooms known, for completing.
  std::vector<std::string> known_names() const;

 private:
  enum class State {
    kConnecting,  // TCP not up yet
    kNaming,      // waiting for a username from the user
    kJoining,     // JOIN sent, no answer yet
    kChatting,    // registered
    kQuitting,    // QUIT sent, waiting for OK QUIT
    kDone,
  };

  struct InputItem {
    std::string line;
    bool too_long = false;
  };

  void Pump();
  // Whether the line is answered by the client itself, without a request.
  bool IsLocal(const InputItem& item) const;
  // Shows the answer to /help, /history or a usage error, the commands the
  // client answers itself in any state; false for any other command.
  bool AnswerLocally(const Command& command);
  void HandleServerLine(std::string_view line,
                        const protocol::ServerLine& parsed,
                        const SentRequest* answered);
  void HandleNameLine(const std::string& typed);
  void HandleChatLine(const std::string& line);
  // A typed line that looks like a private message to an online user with
  // a space before its colon ("Carol :hi") is not broadcast at once: it is
  // held back with a notice, and sent only if typed again next.
  bool HoldBackMisaddressed(const Command& command, const std::string& line);
  // Checks and sends one request; false (with an error shown) if it cannot
  // be sent as it is.
  bool SendRequest(const std::string& request);
  void StartJoin(const std::string& request);
  void SendQuit();
  void AskName();
  void OnOk(std::string_view verb, std::string_view argument,
            const SentRequest* request);
  void OnError(std::string_view phrase, std::string_view detail,
               const SentRequest* request);
  // A message from another user: remembered, then shown as `shown`.
  void OnMessageIn(HistoryEntry::Kind kind, std::string_view from,
                   std::string_view text, std::string shown);
  void ShowHistory(std::string_view with);
  void Show(std::string line) { io_.Show({std::move(line)}); }
  // Rooms, /talk and private-message requests (session_rooms.cc): shows one
  // of their lines and keeps their state; false for any other line.
  bool HandleRoomsLine(std::string_view line,
                       const protocol::ServerLine& parsed,
                       const SentRequest* answered);
  // ROOMS and CHATS lines, which answer a request.
  static bool IsRoomsAnswer(std::string_view line);
  void Talk(const std::string& target);
  std::string ChatPrompt() const;
  void Finish(int exit_code, std::string_view error = {});

  Settings settings_;
  const Renderer& renderer_;
  SessionIo& io_;
  State state_ = State::kConnecting;
  std::string name_;             // as registered, once joined
  std::deque<InputItem> queue_;  // typed lines not handled yet
  bool input_ended_ = false;
  std::deque<SentRequest> pending_;  // requests not answered yet, in order
  History history_;
  Roster roster_;
  std::string talk_;                      // /talk target, "" = everyone
  std::vector<std::string> rooms_;        // rooms this user is in
  std::vector<std::string> rooms_seen_;   // from ROOMS, for completing
  std::vector<std::string> invitations_;  // waiting for our answer
  std::vector<std::string> chats_;        // accepted private chats
  std::string held_broadcast_;  // the line held back, until the next one
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_SESSION_H_
