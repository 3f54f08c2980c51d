// Session: the name prompt and retry, the syntax table applied to each typed
// line, answers matched to requests, and the exit rules of CLIENT.md.
#include "client/session.h"

#include <utility>

#include "client/command_table.h"
#include "client/exit_code.h"
#include "client/help.h"
#include "client/misaddressed.h"
#include "protocol/line_assembler.h"
#include "protocol/server_line.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

using protocol::ServerLineKind;

// ERR lines that answer no request: the server sends them on its own and
// then closes the connection.
bool IsUnsolicitedError(std::string_view phrase) {
  return phrase == "Too Many Connections" || phrase == "Send Queue Exceeded";
}

std::string TooLongToSend() {
  return "Not sent: the line is longer than " +
         std::to_string(protocol::kMaxLineBytes) + " bytes";
}

}  // namespace

Session::Session(Settings settings, const Renderer& renderer, SessionIo& io)
    : settings_(std::move(settings)), renderer_(renderer), io_(io) {}

void Session::OnConnected() {
  if (state_ != State::kConnecting) return;
  if (settings_.user && (settings_.login || settings_.register_account)) {
    AskPassword(settings_.login ? Action::kLogin : Action::kRegister,
                *settings_.user, true);
  } else if (settings_.user) {
    StartJoin("JOIN " + *settings_.user);
  } else {
    AskName();
  }
  Pump();
}

void Session::AskName() {
  state_ = State::kNaming;
  io_.SetPrompt(kNamePrompt);
}

void Session::StartJoin(const std::string& request) {
  if (!SendRequest(request)) return;
  state_ = State::kJoining;
  io_.SetPrompt("");  // no name prompt while the server decides
}

void Session::SendQuit() {
  if (ask_) EndPasswordAsk();
  if (SendRequest("QUIT")) state_ = State::kQuitting;
}

void Session::Finish(int exit_code, std::string_view error) {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  queue_.clear();
  io_.Finish(exit_code, error);
}

bool Session::SendRequest(const std::string& request) {
  if (request.size() > protocol::kMaxLineBytes) {
    Show(renderer_.Error(TooLongToSend()));
    return false;
  }
  if (!protocol::IsValidText(request)) {
    Show(renderer_.Error(
        "Not sent: the line holds control characters or invalid UTF-8"));
    return false;
  }
  io_.Send(request);
  pending_.push_back(DescribeRequest(request));
  return true;
}

// --- Input ---------------------------------------------------------------

void Session::OnInputLine(std::string line) {
  if (done()) return;
  queue_.push_back({std::move(line), false});
  Pump();
}

void Session::OnInputTooLong() {
  if (done()) return;
  queue_.push_back({{}, true});
  Pump();
}

void Session::OnInputEnd() {
  if (done()) return;
  input_ended_ = true;
  Pump();
}

void Session::Pump() {
  // Lines wait while the connection is not up and while a JOIN is out: what
  // they mean depends on its answer (a chat line, or the next name to try).
  //
  // A line answered locally (/help, /history, a usage error) also waits
  // until every request sent before it is answered: output then follows
  // input order, and /history includes the messages just sent.
  while (!queue_.empty() &&
         (state_ == State::kNaming || state_ == State::kChatting ||
          state_ == State::kPassword)) {
    if (state_ != State::kPassword && !pending_.empty() &&
        IsLocal(queue_.front())) {
      break;
    }
    InputItem item = std::move(queue_.front());
    queue_.pop_front();
    if (item.too_long) {
      Show(renderer_.Error(TooLongToSend()));
    } else if (state_ == State::kPassword) {
      HandlePasswordLine(std::move(item.line));
    } else if (state_ == State::kNaming) {
      HandleNameLine(item.line);
    } else {
      HandleChatLine(item.line);
    }
  }
  if (state_ == State::kQuitting) queue_.clear();  // nothing after QUIT
  // A script's end of input waits for its file transfers to end.
  const bool files_busy =
      state_ == State::kChatting && files_ != nullptr && files_->busy();
  if (queue_.empty() && input_ended_ && files_busy && settings_.interactive &&
      !said_waiting_for_files_) {
    said_waiting_for_files_ = true;
    Show(renderer_.Notice(
        "Waiting for the file transfers to end before leaving (/files lists "
        "them; Ctrl-C leaves now)"));
  }
  if (queue_.empty() && input_ended_ && !files_busy &&
      (state_ == State::kNaming || state_ == State::kChatting ||
       state_ == State::kPassword)) {
    SendQuit();
  }
}

bool Session::IsLocal(const InputItem& item) const {
  if (item.too_long) return true;
  const Command command = ParseInput(item.line);
  switch (command.action) {
    case Action::kHelp:
    case Action::kHistory:
    case Action::kUsage:
    case Action::kTalk:
    case Action::kRegister:
    case Action::kLogin:
    case Action::kPasswd:
    case Action::kUnregister:
    case Action::kSendFile:
    case Action::kFiles:
    case Action::kGetFile:
    case Action::kDeclineFile:
    case Action::kCancelFile:
      return true;
    default:
      return command.request.size() > protocol::kMaxLineBytes ||
             !protocol::IsValidText(command.request);
  }
}

bool Session::AnswerLocally(const Command& command) {
  switch (command.action) {
    case Action::kHelp:
      io_.Show(HelpLines());
      return true;
    case Action::kHistory:
      ShowHistory(command.name);
      AskServerHistory(command.name);
      return true;
    case Action::kRegister:
    case Action::kLogin:
    case Action::kPasswd:
    case Action::kUnregister:
      StartAccountCommand(command);
      return true;
    case Action::kUsage:
      Show(renderer_.Error(command.message));
      return true;
    case Action::kSendFile:
    case Action::kFiles:
    case Action::kGetFile:
    case Action::kDeclineFile:
    case Action::kCancelFile:
      FileCommand(command);
      return true;
    case Action::kTalk:
      if (state_ != State::kChatting) {
        Show(renderer_.Error("Choose a username first; then /talk"));
      } else {
        Talk(command.name);
      }
      return true;
    default:
      return false;
  }
}

void Session::HandleNameLine(const std::string& typed) {
  // "Alice " or " Alice" is the name Alice: spaces around a name are easy
  // to type and cannot be part of it.
  const size_t first = typed.find_first_not_of(" \t");
  if (first == std::string::npos) return;
  const std::string line =
      typed.substr(first, typed.find_last_not_of(" \t") - first + 1);
  const Command command = ParseInput(line);
  if (AnswerLocally(command)) return;
  switch (command.action) {
    case Action::kQuit:
      SendQuit();
      return;
    case Action::kJoin:
      StartJoin(command.request);
      return;
    default:
      break;
  }
  // A protocol line typed by hand ("PING", "LIST") goes out as typed, even
  // before JOIN: the server's answer is what such a user wants to see.
  if (command.request == line) {
    SendRequest(command.request);
    return;
  }
  // Otherwise one word is the name ("Alice"); the server judges it, and
  // says Invalid Username if it is not one.
  if (line.find(' ') == std::string::npos &&
      (settings_.login || settings_.register_account)) {
    AskPassword(settings_.login ? Action::kLogin : Action::kRegister, line,
                true);
    return;
  }
  if (line.find(' ') == std::string::npos) {
    StartJoin("JOIN " + line);
    return;
  }
  Show(renderer_.Error(
      "Choose a username first: one word of 1 to 32 letters or digits"));
}

void Session::HandleChatLine(const std::string& line) {
  Command command = ParseInput(line);
  if (command.action == Action::kNothing) return;
  // With /talk, a plain line goes to that room or user (never a broadcast,
  // so it is never held back as a misaddressed one).
  const bool talking = command.plain && !talk_.empty();
  if ((!talking && HoldBackMisaddressed(command, line)) ||
      AnswerLocally(command)) {
    return;
  }
  if (talking) command.request = "MESG " + talk_ + " " + command.text;
  if (!SendRequest(command.request)) return;
  if (pending_.back().kind == SentRequest::Kind::kQuit) {
    state_ = State::kQuitting;
  }
}

bool Session::HoldBackMisaddressed(const Command& command,
                                   const std::string& line) {
  // Only a plain line typed at a terminal: "/all", "BCST" and "//" say
  // "everyone" on purpose, and a script means what it wrote.
  const bool plain_broadcast =
      command.action == Action::kBcst && command.text == line;
  const auto to = plain_broadcast && settings_.interactive
                      ? MisaddressedTo(line, roster_.names(), name_)
                      : std::nullopt;
  if (!to || held_broadcast_ == line) {
    held_broadcast_.clear();
    return false;  // sent as typed: the same line twice is the confirmation
  }
  held_broadcast_ = line;
  Show(renderer_.Notice(
      "Not sent: this would go to everyone, not only to " + *to + ". Type " +
      *to + ":text (no space before the colon) to send it to " + *to +
      " only, or press Up and Enter to send it to "
      "everyone."));
  return true;
}

void Session::ShowHistory(std::string_view with) {
  const auto entries = history_.Select(with);
  const std::string whom =
      with.empty() ? std::string() : " with " + std::string(with);
  if (entries.empty()) {
    Show(renderer_.Notice("No messages" + whom + " yet"));
    return;
  }
  std::vector<std::string> lines;
  lines.push_back(renderer_.Notice(
      "History" + whom + " (" + std::to_string(entries.size()) +
      (entries.size() == 1 ? " message" : " messages") + "):"));
  for (const HistoryEntry* entry : entries) {
    lines.push_back(renderer_.HistoryLine(*entry));
  }
  io_.Show(lines);
}

// --- Server ----------------------------------------------------------------

void Session::OnServerLine(std::string_view line) {
  if (done() || state_ == State::kConnecting) return;
  const protocol::ServerLine parsed = protocol::ParseServerLine(line);

  // Answers come in request order, one per request: the oldest pending
  // request is the one answered.
  const bool is_answer =
      parsed.kind == ServerLineKind::kOk ||
      parsed.kind == ServerLineKind::kList ||
      parsed.kind == ServerLineKind::kPong || IsRoomsAnswer(line) ||
      (parsed.kind == ServerLineKind::kError &&
       !IsUnsolicitedError(parsed.first) && !IsStrayFileError(parsed));
  std::optional<SentRequest> request;
  if (is_answer && !pending_.empty()) {
    request = std::move(pending_.front());
    pending_.pop_front();
  }
  const SentRequest* answered = request ? &*request : nullptr;
  HandleServerLine(line, parsed, answered);
  // An answer may release held input lines (or end the name step).
  if (request) Pump();
}

void Session::HandleServerLine(std::string_view line,
                               const protocol::ServerLine& parsed,
                               const SentRequest* answered) {
  if (HandleAccountsLine(line, parsed, answered)) return;
  if (HandleFilesLine(line, parsed, answered)) return;
  if (HandleRoomsLine(line, parsed, answered)) return;
  switch (parsed.kind) {
    case ServerLineKind::kHello:
      return;  // free text meant for people using nc; not shown
    case ServerLineKind::kOk:
      OnOk(parsed.first, parsed.second, answered);
      return;
    case ServerLineKind::kList:
      roster_.Replace(parsed.names);
      io_.Show(renderer_.UserList(parsed.names, name_));
      return;
    case ServerLineKind::kPong:
      Show(renderer_.Pong(parsed.first));
      return;
    case ServerLineKind::kError:
      OnError(parsed.first, parsed.second, answered);
      return;
    case ServerLineKind::kMesg:
      OnMessageIn(HistoryEntry::Kind::kPrivateIn, parsed.first, parsed.second,
                  renderer_.PrivateFrom(parsed.first, parsed.second));
      return;
    case ServerLineKind::kBcst:
      OnMessageIn(HistoryEntry::Kind::kBroadcastIn, parsed.first, parsed.second,
                  renderer_.Broadcast(parsed.first, parsed.second));
      return;
    case ServerLineKind::kJoined:
      roster_.Add(parsed.first);
      Show(renderer_.Joined(parsed.first));
      return;
    case ServerLineKind::kLeft:
      roster_.Remove(parsed.first);
      Show(renderer_.Left(parsed.first));
      return;
    case ServerLineKind::kBye:
      Show(renderer_.Bye(parsed.first));
      Finish(kExitOk);
      return;
    case ServerLineKind::kUnknown:
      Show(renderer_.Unknown(line));
      return;
  }
}

void Session::OnMessageIn(HistoryEntry::Kind kind, std::string_view from,
                          std::string_view text, std::string shown) {
  // Whoever sent it is online, so the name becomes completable.
  roster_.Add(from);
  history_.Add({settings_.clock(), kind, std::string(from), std::string(text)});
  Show(std::move(shown));
}

void Session::OnOk(std::string_view verb, std::string_view argument,
                   const SentRequest* request) {
  const bool has_request = request != nullptr;
  if (verb == "JOIN") {
    // The name goes into the prompt, which is written to the terminal as
    // is: only a valid username (plain letters and digits) is taken from
    // the server.
    if (protocol::IsValidUsername(argument)) {
      name_ = argument;
    } else if (has_request && protocol::IsValidUsername(request->name)) {
      name_ = request->name;
    }
    roster_.Add(name_);
    if (state_ != State::kJoining) return;  // e.g. Ctrl-C sent QUIT meanwhile
    state_ = State::kChatting;
    joined_at_ = settings_.clock();
    Show(renderer_.Notice(name_ + " joined! Connected to server " +
                          settings_.server + "."));
    if (settings_.interactive) {
      std::vector<std::string> hint;
      for (const std::string& line : HintLines()) {
        hint.push_back(renderer_.Notice(line));
      }
      io_.Show(hint);
    }
    io_.SetPrompt(ChatPrompt());
  } else if (verb == "MESG") {
    const std::string to = !argument.empty() ? std::string(argument)
                           : has_request     ? request->name
                                             : std::string();
    const std::string text = has_request ? request->text : std::string();
    roster_.Add(to);
    history_.Add(
        {settings_.clock(), HistoryEntry::Kind::kPrivateOut, to, text});
    Show(renderer_.PrivateTo(to, text));
  } else if (verb == "BCST") {
    const std::string text = has_request ? request->text : std::string();
    history_.Add(
        {settings_.clock(), HistoryEntry::Kind::kBroadcastOut, name_, text});
    // Both lines come with the answer, so that they appear in the order
    // the lines were typed, after the answers to earlier requests.
    std::vector<std::string> lines{renderer_.SendingBroadcast(name_),
                                   renderer_.Broadcast(name_, text)};
    if (argument == "0") {
      lines.push_back(renderer_.Notice("(nobody else is online to read it)"));
    }
    io_.Show(lines);
  } else if (verb == "QUIT") {
    // As the JOIN/LIST assignment's sample window has it.
    if (!name_.empty()) {
      Show(renderer_.Notice(name_ + " is quitting the chat server"));
    }
    Show(renderer_.Notice("Disconnected."));
    Finish(kExitOk);
  } else {
    Show(renderer_.Unknown("OK " + std::string(verb) +
                           (argument.empty() ? "" : " ") +
                           std::string(argument)));
  }
}

void Session::OnError(std::string_view phrase, std::string_view detail,
                      const SentRequest* request) {
  if (OnAccountError(phrase, detail, request)) return;
  Show(renderer_.ServerError(phrase, detail, request));
  if (phrase == "Too Many Users" || phrase == "Too Many Connections") {
    Finish(kExitRejected);
    return;
  }
  // Whatever the reason (taken, invalid, or an answer this client does not
  // expect), a JOIN that failed leaves the session unregistered: waiting on
  // would hang until the server's join timeout.
  const bool join_refused = request != nullptr &&
                            (request->kind == SentRequest::Kind::kJoin ||
                             request->kind == SentRequest::Kind::kLogin ||
                             request->kind == SentRequest::Kind::kRegister) &&
                            state_ == State::kJoining;
  if (!join_refused) return;
  if (!settings_.interactive && settings_.user) {
    // A script gave the name on the command line: there is nobody to ask
    // for another one, and trying its input lines as names would send them
    // where they were not meant to go.
    Finish(kExitRejected);
    return;
  }
  if (settings_.interactive) {
    Show(renderer_.Notice("Please choose another username."));
  }
  AskName();
}

void Session::OnServerLineTooLong() {
  if (done()) return;
  Show(renderer_.Error("Skipped a line from the server: it was too long"));
}

void Session::OnServerClosed(std::string_view error) {
  if (done()) return;
  if (error.empty()) {
    Finish(kExitConnectionLost, "the server closed the connection");
  } else {
    Finish(kExitConnectionLost,
           "lost the connection to the server: " + std::string(error));
  }
}

void Session::OnInterrupt() {
  switch (state_) {
    case State::kConnecting:
      Finish(kExitConnectionLost, "interrupted before connecting");
      return;
    case State::kQuitting:
      Finish(kExitConnectionLost, "interrupted while waiting for OK QUIT");
      return;
    case State::kDone:
      return;
    default:
      queue_.clear();
      SendQuit();
      return;
  }
}

void Session::OnQuitTimeout() {
  if (state_ != State::kQuitting) return;
  Finish(kExitConnectionLost, "the server did not answer QUIT");
}

}  // namespace chat::client
