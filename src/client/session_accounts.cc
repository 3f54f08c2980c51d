// Session: accounts, offline messages and the server's history as the user
// sees them. Asks for passwords (hidden on a terminal, the next input line
// in a script, or --password-file), sends REGISTER, LOGIN, PASSWORD and
// UNREGISTER, wipes the passwords once sent, shows OFFLINE lines with their
// time, and pages back through HISTORY for /history.
#include <algorithm>

#include "client/exit_code.h"
#include "client/session.h"
#include "client/stored_lines.h"
#include "protocol/password_rule.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

using protocol::ServerLineKind;
using Step = Session::PasswordAsk::Step;

constexpr int kHistoryPage = 50;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

std::string Prompt(Step step, Action action, const std::string& name) {
  switch (step) {
    case Step::kCurrent:
      if (action == Action::kPasswd) return "Current password: ";
      if (action == Action::kUnregister) {
        return "Password (deletes the account " + name + "): ";
      }
      return "Password for " + name + ": ";
    case Step::kNew:
      return action == Action::kPasswd ? "New password: "
                                       : "Choose a password for " + name + ": ";
    case Step::kConfirm:
      return "The same password again: ";
  }
  return "Password: ";
}

}  // namespace

Session::~Session() {
  if (ask_) {
    for (std::string& answer : ask_->answers) Wipe(&answer);
  }
  Wipe(&file_password_);
}

void Session::SetFilePassword(std::string password) {
  Wipe(&file_password_);
  file_password_ = std::move(password);
  Wipe(&password);
}

// --- Asking for passwords ---------------------------------------------------

void Session::StartAccountCommand(const Command& command) {
  const bool naming = state_ == State::kNaming;
  if (!naming && state_ != State::kChatting) return;
  switch (command.action) {
    case Action::kRegister:
      if (naming && command.name.empty()) {
        Show(renderer_.Error("Usage before joining: /register NAME"));
        return;
      }
      AskPassword(Action::kRegister,
                  command.name.empty() ? name_ : command.name, naming);
      return;
    case Action::kLogin:
      AskPassword(Action::kLogin, command.name, naming);
      return;
    default:
      if (naming) {
        Show(renderer_.Error("Log in first: /login NAME"));
        return;
      }
      AskPassword(command.action, name_, false);
      return;
  }
}

void Session::AskPassword(Action action, std::string name, bool before_join) {
  PasswordAsk ask;
  ask.action = action;
  ask.name = std::move(name);
  ask.before_join = before_join;
  switch (action) {
    case Action::kRegister:
      ask.steps = {Step::kNew, Step::kConfirm};
      break;
    case Action::kPasswd:
      ask.steps = {Step::kCurrent, Step::kNew, Step::kConfirm};
      break;
    default:
      ask.steps = {Step::kCurrent};
      break;
  }
  // The file stands for the account's password: the one to log in with,
  // to register with, or the current one to change or delete.
  if (!file_password_.empty()) {
    ask.answers.push_back(file_password_);
    ask.steps.erase(ask.steps.begin());
    if (!ask.steps.empty() && ask.steps.front() == Step::kConfirm) {
      ask.steps.erase(ask.steps.begin());
    }
  }
  // Nobody can retype in a script: its lines are taken as they are.
  if (!settings_.interactive) std::erase(ask.steps, Step::kConfirm);
  ask_ = std::move(ask);
  state_ = State::kPassword;
  if (settings_.password_exposed) {
    Show(renderer_.Notice(
        "Warning: the connection to " + settings_.server +
        " is not encrypted: the password will cross the network "
        "unencrypted"));
  }
  NextPasswordStep();
}

void Session::NextPasswordStep() {
  if (!ask_) return;
  if (ask_->steps.empty()) {
    SendAccountRequest();
    return;
  }
  if (settings_.interactive) {
    io_.SetSecretInput(true);
    io_.SetPrompt(Prompt(ask_->steps.front(), ask_->action, ask_->name));
  }
}

void Session::HandlePasswordLine(std::string line) {
  if (!ask_ || ask_->steps.empty()) {
    Wipe(&line);
    return;
  }
  if (line.empty()) {
    Show(renderer_.Notice("Cancelled: no password given"));
    CancelPasswordAsk();
    return;
  }
  const Step step = ask_->steps.front();
  if (step == Step::kConfirm) {
    const bool same = !ask_->answers.empty() && ask_->answers.back() == line;
    Wipe(&line);
    if (!same) {
      Show(renderer_.Error("The two passwords differ; please choose again"));
      Wipe(&ask_->answers.back());
      ask_->answers.pop_back();
      ask_->steps.insert(ask_->steps.begin(), Step::kNew);
      NextPasswordStep();
      return;
    }
  } else {
    if (!protocol::IsValidPasswordText(line)) {
      Wipe(&line);
      Show(
          renderer_.Error("A password is 8 to 128 characters, without spaces"));
      if (!settings_.interactive) {
        CancelPasswordAsk();
      } else {
        NextPasswordStep();  // the same question again
      }
      return;
    }
    ask_->answers.push_back(std::move(line));
    Wipe(&line);
  }
  ask_->steps.erase(ask_->steps.begin());
  NextPasswordStep();
}

void Session::EndPasswordAsk() {
  if (!ask_) return;
  for (std::string& answer : ask_->answers) Wipe(&answer);
  ask_.reset();
  io_.SetSecretInput(false);
}

void Session::CancelPasswordAsk() {
  if (!ask_) return;
  const bool before_join = ask_->before_join;
  const std::string name = ask_->name;
  EndPasswordAsk();
  if (!before_join) {
    state_ = State::kChatting;
    io_.SetPrompt(ChatPrompt());
    return;
  }
  if (!settings_.interactive && settings_.user) {
    Finish(kExitRejected, "no usable password for " + name);
    return;
  }
  AskName();
}

void Session::SendAccountRequest() {
  PasswordAsk& ask = *ask_;
  std::string request;
  switch (ask.action) {
    case Action::kLogin:
      request = "LOGIN " + ask.name + " " + ask.answers.at(0);
      break;
    case Action::kRegister:
      request = "REGISTER " + ask.name + " " + ask.answers.at(0);
      break;
    case Action::kPasswd:
      request = "PASSWORD " + ask.answers.at(0) + " " + ask.answers.at(1);
      break;
    default:
      request = "UNREGISTER " + ask.answers.at(0);
      break;
  }
  const bool before_join = ask.before_join;
  EndPasswordAsk();
  if (before_join) {
    state_ = State::kJoining;
    io_.SetPrompt("");
  } else {
    state_ = State::kChatting;
    io_.SetPrompt(ChatPrompt());
  }
  // SendRequest remembers only what DescribeRequest keeps: never the
  // password.
  const bool sent = SendRequest(request);
  Wipe(&request);
  if (!sent && before_join) AskName();
}

// --- Answers and pushes -----------------------------------------------------

bool Session::HandleAccountsLine(std::string_view line,
                                 const protocol::ServerLine& parsed,
                                 const SentRequest* answered) {
  switch (parsed.kind) {
    case ServerLineKind::kOk: {
      const std::string_view verb = parsed.first;
      const std::string arg(parsed.second);
      if (verb == "LOGIN" || verb == "REGISTER") {
        const bool login = verb == "LOGIN";
        if (state_ == State::kJoining) {
          OnOk("JOIN", arg, answered);
        } else if (protocol::IsValidUsername(arg)) {
          name_ = arg;
          io_.SetPrompt(ChatPrompt());
        }
        Show(renderer_.Notice(
            login ? "Logged in to the account " + arg
                  : "The name " + arg +
                        " is now your account: next time, log in with its "
                        "password"));
        return true;
      }
      if (verb == "PASSWORD") {
        Show(renderer_.Notice("Password changed"));
        return true;
      }
      if (verb == "UNREGISTER") {
        Show(renderer_.Notice("Account " + arg +
                              " deleted with its stored messages; you stay "
                              "online as " +
                              arg + ", without an account"));
        return true;
      }
      if (verb == "HISTORY") {
        ShowServerHistory();
        return true;
      }
      constexpr std::string_view kQueued = " queued";
      if (verb == "MESG" && parsed.second.ends_with(kQueued)) {
        const std::string to(
            parsed.second.substr(0, parsed.second.size() - kQueued.size()));
        const std::string text = answered ? answered->text : std::string();
        history_.Add(
            {settings_.clock(), HistoryEntry::Kind::kPrivateOut, to, text});
        io_.Show(
            {renderer_.PrivateTo(to, text),
             renderer_.Notice("(" + to + " is away: queued, delivered when " +
                              to + " logs in)")});
        return true;
      }
      return false;
    }
    case ServerLineKind::kBye:
      if (parsed.first != "Logged In Elsewhere") return false;
      Show(renderer_.Notice(
          "Your account logged in on another connection, so the server "
          "closed this one (BYE Logged In Elsewhere)"));
      Finish(kExitOk);
      return true;
    case ServerLineKind::kUnknown:
      break;
    default:
      return false;
  }
  if (const auto offline = ParseOffline(line)) {
    if (!offline_seen_.insert(offline->id).second) return true;  // a copy
    const std::time_t now = settings_.clock();
    const std::string when =
        FormatStoredTime(ParseUtcTime(offline->time).value_or(now), now);
    history_.Add({now, HistoryEntry::Kind::kPrivateIn,
                  std::string(offline->from), std::string(offline->text)});
    Show("[private, while you were away, " + when + "] " +
         renderer_.Broadcast(offline->from, offline->text));
    return true;
  }
  if (const auto data = ParseHistoryData(line)) {
    ++history_received_;
    if (!history_asked_.empty()) {
      uint64_t& oldest = history_oldest_[history_asked_.front()];
      if (oldest == 0 || data->id < oldest) oldest = data->id;
    }
    const std::time_t now = settings_.clock();
    const std::time_t when = ParseUtcTime(data->time).value_or(now);
    // This session's own messages were shown from its own history.
    if (joined_at_ != 0 && when > joined_at_) return true;
    std::string shown = "[" + FormatStoredTime(when, now) + "] ";
    if (data->to == "*") {
      shown += renderer_.Broadcast(data->from, data->text);
    } else if (!data->to.empty() && data->to.front() == '#') {
      shown += "[" + protocol::SanitizeForTerminal(data->to) + "] " +
               renderer_.Broadcast(data->from, data->text);
    } else if (protocol::EqualsIgnoreCase(data->from, name_)) {
      shown += renderer_.PrivateTo(data->to, data->text);
    } else {
      shown += renderer_.PrivateFrom(data->from, data->text);
    }
    history_lines_.push_back(std::move(shown));
    return true;
  }
  return false;
}

bool Session::OnAccountError(std::string_view phrase, std::string_view detail,
                             const SentRequest* request) {
  using Kind = SentRequest::Kind;
  const Kind kind = request ? request->kind : Kind::kOther;
  const std::string name = request ? request->name : std::string();
  if (kind == Kind::kHistory) {
    if (!history_asked_.empty()) history_asked_.pop_front();
    history_lines_.clear();
    history_received_ = 0;
    if (phrase == "Unavailable") {
      Show(
          renderer_.Notice("This server keeps no history of earlier "
                           "sessions"));
      return true;
    }
    if (phrase == "No Account") {
      Show(
          renderer_.Notice("The server keeps private messages only for "
                           "accounts: /register to keep yours"));
      return true;
    }
    return false;
  }
  std::string text;
  if (phrase == "Name Reserved" && kind == Kind::kJoin &&
      state_ == State::kJoining) {
    const bool can_ask =
        settings_.interactive || !settings_.user || !file_password_.empty();
    if (can_ask) {
      Show(renderer_.Notice("The name " + name + " belongs to an account: " +
                            (settings_.interactive
                                 ? "type its password to log in (an empty "
                                   "line to choose another name)"
                                 : "logging in")));
      AskPassword(Action::kLogin, name, true);
      return true;
    }
    text = "The name " + name +
           " belongs to an account: log in with --login (and "
           "--password-file in a script)";
  } else if (phrase == "Name Reserved") {
    text = "That name belongs to an account: /login NAME to use it";
  } else if (phrase == "Login Failed") {
    text = kind == Kind::kLogin ? "Login failed: wrong name or password"
                                : "Wrong password; nothing changed";
  } else if (phrase == "Too Many Attempts") {
    text = "Too many failed attempts: wait " + std::string(detail) +
           " seconds and try again";
  } else if (phrase == "Invalid Password") {
    text =
        "The server refused that password: 8 to 128 characters, without "
        "spaces";
  } else if (phrase == "No Account") {
    text = "You are not logged in to an account (/login NAME or /register)";
  } else if (phrase == "Unavailable") {
    text = "This server keeps no accounts (it runs without a database)";
  } else if (phrase == "Mailbox Full") {
    text = std::string(detail) + "'s mailbox is full; not delivered";
    if (kind == Kind::kMesg) text += ": " + request->text;
  } else {
    return false;
  }
  Show(renderer_.Error(text));
  const bool join_refused = (kind == Kind::kJoin || kind == Kind::kLogin ||
                             kind == Kind::kRegister) &&
                            state_ == State::kJoining;
  if (!join_refused) return true;
  if (!settings_.interactive && settings_.user) {
    Finish(kExitRejected);
    return true;
  }
  if (settings_.interactive) {
    Show(renderer_.Notice("Please choose a username."));
  }
  AskName();
  return true;
}

// --- /history from the server ----------------------------------------------

void Session::AskServerHistory(const std::string& with) {
  if (state_ != State::kChatting) return;
  const std::string target = with.empty() ? "*" : with;
  const std::string key = Lower(target);
  std::string request =
      "HISTORY " + target + " " + std::to_string(kHistoryPage);
  const auto oldest = history_oldest_.find(key);
  if (oldest != history_oldest_.end()) {
    if (oldest->second <= 1) {
      Show(renderer_.Notice("No older messages on the server"));
      return;
    }
    request += " " + std::to_string(oldest->second);
  }
  if (!SendRequest(request)) return;
  history_asked_.push_back(key);
  history_lines_.clear();
  history_received_ = 0;
}

void Session::ShowServerHistory() {
  std::string key;
  if (!history_asked_.empty()) {
    key = history_asked_.front();
    history_asked_.pop_front();
  }
  const std::string whom =
      key.empty() || key == "*" ? std::string(" (broadcasts)") : " with " + key;
  std::vector<std::string> lines;
  if (history_lines_.empty()) {
    lines.push_back(
        renderer_.Notice("No older messages" + whom + " on the server"));
  } else {
    lines.push_back(
        renderer_.Notice("Older messages" + whom + " kept by the server (" +
                         std::to_string(history_lines_.size()) + "):"));
    for (std::string& line : history_lines_) lines.push_back(std::move(line));
  }
  if (history_received_ >= static_cast<size_t>(kHistoryPage)) {
    lines.push_back(renderer_.Notice("(/history again shows earlier ones)"));
  }
  history_lines_.clear();
  history_received_ = 0;
  io_.Show(lines);
}

}  // namespace chat::client
