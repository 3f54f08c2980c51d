// The command table and the parser that walks it. Adding a syntax means
// adding a row; nothing else has to know.
#include "client/command_table.h"

#include "protocol/request.h"
#include "protocol/rooms.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

constexpr std::string_view kIrc = "IRC";
constexpr std::string_view kPushChat = "push-chat";
constexpr std::string_view kBang = "bang-command chats";
constexpr std::string_view kChat77 = "Chat77";
constexpr std::string_view kProtocol = "the JOIN/LIST protocol";
constexpr std::string_view kGroups = "IRC; group chats";
constexpr std::string_view kRequests = "message requests";
constexpr std::string_view kFileTransfer = "file transfer";

// A user or a room: what /msg, /talk and NAME:TEXT may address.
bool IsTarget(std::string_view name) {
  return protocol::IsValidUsername(name) || protocol::IsValidRoomName(name);
}

// /get, /decline, /cancel: the id the server gave the transfer.
bool IsFileIdAction(Action action) {
  return action == Action::kGetFile || action == Action::kDeclineFile ||
         action == Action::kCancelFile;
}

bool IsTransferId(std::string_view id) {
  return !id.empty() && id.size() <= 18 && id.front() != '0' &&
         id.find_first_not_of("0123456789") == std::string_view::npos;
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t") == std::string_view::npos;
}

std::string_view SkipSpaces(std::string_view s) {
  const size_t start = s.find_first_not_of(' ');
  return start == std::string_view::npos ? std::string_view{} : s.substr(start);
}

// The first word of `s` and what follows it, with the one separating space
// removed so that text keeps any further leading spaces (the protocol
// relays text byte for byte).
void TakeWord(std::string_view s, std::string_view* word,
              std::string_view* rest) {
  const size_t space = s.find(' ');
  *word = s.substr(0, space);
  *rest = space == std::string_view::npos ? std::string_view{}
                                          : s.substr(space + 1);
}

bool StartsWithWord(std::string_view line, std::string_view word) {
  return line.substr(0, word.size()) == word &&
         (line.size() == word.size() || line[word.size()] == ' ');
}

std::string UsageOf(const Syntax& syntax) {
  return "Usage: " + std::string(syntax.form);
}

Command Usage(std::string message) {
  Command command;
  command.action = Action::kUsage;
  command.message = std::move(message);
  return command;
}

Command Mesg(std::string_view name, std::string_view text) {
  Command command;
  command.action = Action::kMesg;
  command.name = name;
  command.text = text;
  command.request = "MESG " + command.name + " " + command.text;
  return command;
}

Command Bcst(std::string_view text) {
  Command command;
  command.action = Action::kBcst;
  command.text = text;
  command.request = "BCST " + command.text;
  return command;
}

// A protocol line typed by hand goes out unchanged; it is classified so the
// session knows what it asked (a JOIN, a QUIT...), and anything malformed is
// left for the server to answer.
Command Verbatim(std::string_view line) {
  Command command;
  command.action = Action::kRaw;
  command.request = line;
  const auto parsed = protocol::ParseRequest(line);
  if (const auto* request = std::get_if<protocol::Request>(&parsed)) {
    switch (request->verb) {
      case protocol::Verb::kJoin:
        command.action = Action::kJoin;
        command.name = request->name;
        break;
      case protocol::Verb::kList:
        command.action = Action::kList;
        break;
      case protocol::Verb::kMesg:
        command.action = Action::kMesg;
        command.name = request->name;
        command.text = request->text;
        break;
      case protocol::Verb::kBcst:
        command.action = Action::kBcst;
        command.text = request->text;
        break;
      case protocol::Verb::kQuit:
        command.action = Action::kQuit;
        break;
      case protocol::Verb::kPing:
      case protocol::Verb::kPart:  // rooms and requests: sent as typed
      case protocol::Verb::kRooms:
      case protocol::Verb::kPrivacy:
      case protocol::Verb::kInvite:
      case protocol::Verb::kAccept:
      case protocol::Verb::kReject:
      case protocol::Verb::kEnd:
      case protocol::Verb::kChats:
      case protocol::Verb::kFile:
      case protocol::Verb::kRegister:  // accounts and history: as typed
      case protocol::Verb::kLogin:
      case protocol::Verb::kPassword:
      case protocol::Verb::kUnregister:
      case protocol::Verb::kHistory:
        break;
    }
    // JOIN, LIST or MESG of a room: not the name's JOIN, nor LIST of users.
    if (!command.name.empty() && command.name.front() == '#') {
      command.action =
          request->verb == protocol::Verb::kMesg ? Action::kMesg : Action::kRaw;
    }
  }
  return command;
}

Command Simple(Action action) {
  Command command;
  command.action = action;
  if (action == Action::kList) command.request = "LIST";
  if (action == Action::kQuit) command.request = "QUIT";
  return command;
}

// The result of trying one row: no match, or the command.
struct Match {
  bool matched = false;
  Command command;
};

Match Matched(Command command) { return {true, std::move(command)}; }

// A row whose word matched but whose arguments did not: strict rows report
// the right form, the others let later rows (in the end: broadcast) have it.
Match NearMiss(const Syntax& syntax, std::string message = {}) {
  if (!syntax.strict) return {};
  return Matched(Usage(message.empty() ? UsageOf(syntax) : message));
}

Match TryWordRow(const Syntax& syntax, std::string_view line) {
  if (!StartsWithWord(line, syntax.word)) return {};
  std::string_view rest = line.substr(syntax.word.size());
  if (!rest.empty()) rest.remove_prefix(1);  // the separating space

  switch (syntax.shape) {
    case Shape::kExact: {
      if (!IsBlank(rest)) return NearMiss(syntax);
      Command command = Simple(syntax.action);
      if (syntax.action == Action::kRequest) command.request = syntax.verb;
      return Matched(std::move(command));
    }

    case Shape::kName:
    case Shape::kOptName: {
      std::string_view name, after;
      TakeWord(SkipSpaces(rest), &name, &after);
      if (!IsBlank(after) || (name.empty() && syntax.shape == Shape::kName)) {
        return NearMiss(syntax);
      }
      Command command = Simple(syntax.action);
      command.name = name;
      if (syntax.action == Action::kJoin)
        command.request = "JOIN " + command.name;
      if (syntax.action == Action::kList && !name.empty()) {
        // "/who #room": the room's members.
        if (!protocol::IsValidRoomName(name)) return NearMiss(syntax);
        command.request = "LIST " + command.name;
      }
      if (syntax.action == Action::kTalk && !name.empty() && !IsTarget(name)) {
        return NearMiss(syntax);
      }
      if (IsFileIdAction(syntax.action) && !IsTransferId(name)) {
        return NearMiss(syntax, "Not a transfer ID: " + std::string(name) +
                                    " (/files lists them); " + UsageOf(syntax));
      }
      if (syntax.action == Action::kRequest) {
        const bool room_verb = syntax.verb == "JOIN" || syntax.verb == "PART";
        if (room_verb && !protocol::IsRoomTarget(name)) {
          command.name = "#" + command.name;
        }
        command.request = std::string(syntax.verb);
        if (!command.name.empty()) command.request += " " + command.name;
      }
      return Matched(std::move(command));
    }

    case Shape::kText:
      if (IsBlank(rest)) return NearMiss(syntax);
      return Matched(Bcst(rest));

    case Shape::kNameText: {
      std::string_view name, text;
      TakeWord(SkipSpaces(rest), &name, &text);
      // "!private Bob, hi": a comma may follow the name.
      if (name.size() > 1 && name.back() == ',') name.remove_suffix(1);
      if (name.empty() || IsBlank(text)) return NearMiss(syntax);
      if (syntax.action == Action::kSendFile) {
        // /send NAME PATH: the path is the rest of the line, spaces
        // included (file names have them).
        if (!protocol::IsValidUsername(name)) {
          return NearMiss(syntax, "Not a valid username: " + std::string(name) +
                                      " (1 to 32 letters or digits); " +
                                      UsageOf(syntax));
        }
        Command command;
        command.action = Action::kSendFile;
        command.name = name;
        command.text = text;
        return Matched(std::move(command));
      }
      if (!IsTarget(name)) {
        return NearMiss(syntax, "Not a valid username: " + std::string(name) +
                                    " (1 to 32 letters or digits); " +
                                    UsageOf(syntax));
      }
      return Matched(Mesg(name, text));
    }

    case Shape::kVerbatim:
      return Matched(Verbatim(line));

    case Shape::kQuoted: {
      if (IsBlank(rest)) return NearMiss(syntax);
      Command command;
      command.action = Action::kRaw;
      command.request = rest;
      return Matched(std::move(command));
    }

    case Shape::kColon:
    case Shape::kAnyLine:
      break;
  }
  return {};
}

Match TryRow(const Syntax& syntax, std::string_view line) {
  switch (syntax.shape) {
    case Shape::kColon: {
      std::string_view name, text;
      if (!IsColonMessage(line, &name, &text)) return {};
      return Matched(Mesg(name, text));
    }
    case Shape::kAnyLine: {
      // A line starting with '/' that no row knew is a mistyped command,
      // not chat; "//text" is the escape for a broadcast starting with '/'.
      if (line.substr(0, 2) == "//") {
        Command command = Bcst(line.substr(1));
        command.plain = true;
        return Matched(std::move(command));
      }
      if (line.front() == '/') {
        std::string_view word, rest;
        TakeWord(line, &word, &rest);
        return Matched(Usage("Unknown command: " + std::string(word) +
                             " (type /help for the list)"));
      }
      Command command = Bcst(line);
      command.plain = true;
      return Matched(std::move(command));
    }
    default:
      return TryWordRow(syntax, line);
  }
}

}  // namespace

const std::vector<Syntax>& CommandTable() {
  // Rows with a command word come first; "NAME:TEXT" must come after
  // "server:who" and friends, and "any other line" last.
  static const std::vector<Syntax> table = {
      {"/msg", Shape::kNameText, Action::kMesg, "/msg NAME TEXT", kIrc, true},
      {"!private", Shape::kNameText, Action::kMesg, "!private NAME TEXT", kBang,
       true},
      {"private txt", Shape::kNameText, Action::kMesg, "private txt NAME TEXT",
       kChat77, true},
      {"MESG", Shape::kVerbatim, Action::kMesg, "MESG NAME TEXT", kProtocol,
       false},
      {"/all", Shape::kText, Action::kBcst, "/all TEXT", kIrc, true},
      {"BCST", Shape::kVerbatim, Action::kBcst, "BCST TEXT", kProtocol, false},
      {"bdct txt", Shape::kText, Action::kBcst, "bdct txt TEXT", kChat77, true},
      {"/who", Shape::kOptName, Action::kList, "/who [#ROOM]", kIrc, true},
      {"/list", Shape::kExact, Action::kList, "/list", kIrc, true},
      {"server:who", Shape::kExact, Action::kList, "server:who", kPushChat,
       true},
      {"!online", Shape::kExact, Action::kList, "!online", kBang, true},
      {"online clients", Shape::kExact, Action::kList, "online clients",
       kChat77, false},
      {"LIST", Shape::kVerbatim, Action::kList, "LIST", kProtocol, false},
      {"/quit", Shape::kExact, Action::kQuit, "/quit", kIrc, true},
      {"server:exit", Shape::kExact, Action::kQuit, "server:exit", kPushChat,
       true},
      {"!bye", Shape::kExact, Action::kQuit, "!bye", kBang, true},
      {"exit", Shape::kExact, Action::kQuit, "exit", kChat77, false},
      {"QUIT", Shape::kVerbatim, Action::kQuit, "QUIT", kProtocol, false},
      {"server:register", Shape::kName, Action::kJoin, "server:register NAME",
       kPushChat, true},
      {"JOIN", Shape::kVerbatim, Action::kJoin, "JOIN NAME", kProtocol, false},
      // Rooms, /talk and private-message requests.
      {"/join", Shape::kName, Action::kRequest, "/join #ROOM", kGroups, true,
       "JOIN"},
      {"/part", Shape::kName, Action::kRequest, "/part #ROOM", kGroups, true,
       "PART"},
      {"/rooms", Shape::kExact, Action::kRequest, "/rooms", kGroups, true,
       "ROOMS"},
      {"/talk", Shape::kOptName, Action::kTalk, "/talk [#ROOM|NAME]",
       "IRC windows", true},
      {"/invite", Shape::kName, Action::kRequest, "/invite NAME", kChat77, true,
       "INVITE"},
      {"connect to", Shape::kName, Action::kRequest, "connect to NAME", kChat77,
       false, "INVITE"},
      {"/accept", Shape::kName, Action::kRequest, "/accept NAME", kChat77, true,
       "ACCEPT"},
      {"accept connection", Shape::kName, Action::kRequest,
       "accept connection NAME", kChat77, false, "ACCEPT"},
      {"/reject", Shape::kName, Action::kRequest, "/reject NAME", kChat77, true,
       "REJECT"},
      {"reject connection", Shape::kName, Action::kRequest,
       "reject connection NAME", kChat77, false, "REJECT"},
      {"/end", Shape::kName, Action::kRequest, "/end NAME", kChat77, true,
       "END"},
      {"end private", Shape::kName, Action::kRequest, "end private NAME",
       kChat77, false, "END"},
      {"/chats", Shape::kExact, Action::kRequest, "/chats", kChat77, true,
       "CHATS"},
      {"my private chats", Shape::kExact, Action::kRequest, "my private chats",
       kChat77, false, "CHATS"},
      {"/privacy", Shape::kName, Action::kRequest, "/privacy open|ask",
       kRequests, true, "PRIVACY"},
      // Accounts: each asks for the password(s) before sending.
      {"/register", Shape::kOptName, Action::kRegister, "/register [NAME]",
       kChat77, true},
      {"/login", Shape::kName, Action::kLogin, "/login NAME", kChat77, true},
      {"/passwd", Shape::kExact, Action::kPasswd, "/passwd", "IRC services",
       true},
      {"/unregister", Shape::kExact, Action::kUnregister, "/unregister",
       "IRC services", true},
      // File transfer.
      {"/send", Shape::kNameText, Action::kSendFile, "/send NAME PATH",
       kFileTransfer, true},
      {"/files", Shape::kExact, Action::kFiles, "/files", kFileTransfer, true},
      {"/get", Shape::kName, Action::kGetFile, "/get ID", kFileTransfer, true},
      {"/decline", Shape::kName, Action::kDeclineFile, "/decline ID",
       kFileTransfer, true},
      {"/cancel", Shape::kName, Action::kCancelFile, "/cancel ID",
       kFileTransfer, true},
      {"/history", Shape::kOptName, Action::kHistory, "/history [NAME]", "",
       true},
      {"/help", Shape::kExact, Action::kHelp, "/help", "", true},
      {"PING", Shape::kVerbatim, Action::kRaw, "PING [TOKEN]", kProtocol,
       false},
      {"/quote", Shape::kQuoted, Action::kRaw, "/quote LINE", kIrc, true},
      {"", Shape::kColon, Action::kMesg, "NAME:TEXT", kPushChat, false},
      {"", Shape::kAnyLine, Action::kBcst, "any other line", "broadcast chats",
       false},
  };
  return table;
}

bool IsColonMessage(std::string_view line, std::string_view* name,
                    std::string_view* text) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view who = line.substr(0, colon);
  const std::string_view what = line.substr(colon + 1);
  if (!IsTarget(who) || what.empty()) return false;
  const char first = what.front();
  if (first == ' ' || first == '\t' || first == '/') return false;
  const bool digits_only =
      who.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits_only && first >= '0' && first <= '9') return false;  // 12:30
  *name = who;
  *text = what;
  return true;
}

Command ParseInput(std::string_view line) {
  if (IsBlank(line)) return {};
  for (const Syntax& syntax : CommandTable()) {
    Match match = TryRow(syntax, line);
    if (match.matched) return std::move(match.command);
  }
  return {};  // unreachable: the last row matches every line
}

}  // namespace chat::client
