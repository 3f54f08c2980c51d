// Session: the client's conversation with the server, free of any I/O. It
// takes events (a server line, a typed line, end of input, Ctrl-C) and acts
// through SessionIo (send a request, show lines, set the prompt, finish), so
// the whole flow of CLIENT.md can be tested without sockets or terminals.
#ifndef CHAT_CLIENT_SESSION_H_
#define CHAT_CLIENT_SESSION_H_

#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
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
  // Hidden input for a password: no echo, no line history. The prompt
  // comes with SetPrompt after it is turned on.
  virtual void SetSecretInput(bool /*on*/) {}
};

// File transfer (file_transfers.h), which reads and writes files: the
// session hands it the file commands and the FILE lines, and it sends its
// requests through the session (Session::SendFileRequest).
class FileHandler {
 public:
  virtual ~FileHandler() = default;
  // /send, /files, /get, /decline, /cancel, once registered.
  virtual void OnCommand(const Command& command) = 0;
  // A FILE push.
  virtual void OnPush(std::string_view line) = 0;
  // The answer to a FILE request: `subverb` (OFFER, ACCEPT...) and its
  // argument as sent, ok or the ERR's phrase and detail. False when it was
  // not one of the handler's own requests (typed with /quote).
  virtual bool OnAnswer(std::string_view subverb, std::string_view argument,
                        bool ok, std::string_view phrase,
                        std::string_view detail) = 0;
  // Transfers of this user's under way: the end of input waits for them.
  virtual bool busy() const = 0;
};

class Session {
 public:
  struct Settings {
    std::optional<std::string> user;  // --user
    bool interactive = false;         // a person at a terminal
    std::string server;               // "host:port", for messages
    std::function<std::time_t()> clock = [] { return std::time(nullptr); };
    // Accounts: --login or --register instead of JOIN.
    bool login = false;
    bool register_account = false;
    // A password sent now would cross the network unencrypted (plain TCP
    // to an address other than loopback): warn first.
    bool password_exposed = false;
  };

  Session(Settings settings, const Renderer& renderer, SessionIo& io);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // --password-file: the password used wherever the account's (current)
  // one is asked for. Wiped with the session.
  void SetFilePassword(std::string password);

  // File transfer; without one, the file commands say it is unavailable.
  void SetFileHandler(FileHandler* files) { files_ = files; }
  // From the file handler: a request that gets an answer (false, with an
  // error shown, when it cannot be sent now), and DATA and ACK lines, which
  // get none.
  bool SendFileRequest(const std::string& request);
  void SendUnanswered(std::string_view line);
  // Transfers started or ended: input that ended may now lead to QUIT.
  void OnFilesChanged();

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

  // A password being asked for (session_accounts.cc).
  struct PasswordAsk {
    enum class Step { kCurrent, kNew, kConfirm };
    Action action = Action::kLogin;    // kLogin, kRegister, kPasswd, ...
    std::string name;                  // kLogin, kRegister: the account
    bool before_join = false;          // cancelling goes back to the name
    std::vector<Step> steps;           // what is still to be typed
    std::vector<std::string> answers;  // passwords so far; wiped
  };

 private:
  enum class State {
    kConnecting,  // TCP not up yet
    kNaming,      // waiting for a username from the user
    kJoining,     // JOIN sent, no answer yet
    kChatting,    // registered
    kPassword,    // asking for a password (ask_ says what for)
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
  // File transfer (session_files.cc): FILE pushes and the answers to FILE
  // requests go to the file handler; false for any other line.
  bool HandleFilesLine(std::string_view line,
                       const protocol::ServerLine& parsed,
                       const SentRequest* answered);
  // The file commands, in any state.
  void FileCommand(const Command& command);
  // An "ERR Unknown Transfer" that answers a FILE DATA or ACK (which have
  // no place among the requests awaiting answers), not the oldest request.
  bool IsStrayFileError(const protocol::ServerLine& parsed) const;
  std::string ChatPrompt() const;
  void Finish(int exit_code, std::string_view error = {});

  // Accounts, offline messages and server history (session_accounts.cc).
  // /register, /login, /passwd, /unregister (or --login, --register, and
  // the answer Name Reserved).
  void StartAccountCommand(const Command& command);
  void AskPassword(Action action, std::string name, bool before_join);
  void NextPasswordStep();
  void HandlePasswordLine(std::string line);
  void CancelPasswordAsk();
  // Wipes what was typed and leaves hidden input.
  void EndPasswordAsk();
  void SendAccountRequest();
  // OK REGISTER/LOGIN/PASSWORD/UNREGISTER/HISTORY, OK MESG ... queued,
  // OFFLINE, HISTORY data lines, BYE Logged In Elsewhere; false otherwise.
  bool HandleAccountsLine(std::string_view line,
                          const protocol::ServerLine& parsed,
                          const SentRequest* answered);
  // The error phrases of accounts and history; false for others.
  bool OnAccountError(std::string_view phrase, std::string_view detail,
                      const SentRequest* request);
  // /history: asks the server for the lines before those already seen.
  void AskServerHistory(const std::string& with);
  void ShowServerHistory();

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
  std::time_t joined_at_ = 0;   // when the name was registered
  FileHandler* files_ = nullptr;
  bool said_waiting_for_files_ = false;  // once, at the end of input
  // Accounts and history.
  std::optional<PasswordAsk> ask_;
  std::string file_password_;               // --password-file; wiped at the end
  std::set<uint64_t> offline_seen_;         // OFFLINE ids shown (drop copies)
  std::deque<std::string> history_asked_;   // HISTORY targets awaiting OK
  std::vector<std::string> history_lines_;  // data lines of that answer
  size_t history_received_ = 0;             // data lines, shown or not
  std::map<std::string, uint64_t> history_oldest_;  // per target: min id
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_SESSION_H_
