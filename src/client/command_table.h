// The command table: every syntax a user may type (CLIENT.md) and the one
// protocol request each becomes. One data structure drives both parsing and
// the /help text (help.h), so the two cannot disagree.
#ifndef CHAT_CLIENT_COMMAND_TABLE_H_
#define CHAT_CLIENT_COMMAND_TABLE_H_

#include <string>
#include <string_view>
#include <vector>

namespace chat::client {

// What a typed line does.
enum class Action {
  kNothing,  // empty or blank line
  kMesg,     // request: MESG <name> <text>
  kBcst,     // request: BCST <text>
  kList,     // request: LIST
  kQuit,     // request: QUIT
  kJoin,     // request: JOIN <name>
  kRaw,      // request: the line exactly as typed (a protocol line)
  kHelp,     // local: print the table
  kHistory,  // local: print the conversation, all or with `name`
  kUsage,    // local: a malformed command; `message` says why
  // Rooms and private-message requests.
  kRequest,  // request: the row's `verb`, then NAME if the row takes one
  kTalk,     // local: plain lines go to `name` (a user or room), "" = all
  // Accounts (session_accounts.cc): the password is asked for first.
  kRegister,    // REGISTER `name` (or the name in use when "")
  kLogin,       // LOGIN `name`
  kPasswd,      // PASSWORD
  kUnregister,  // UNREGISTER
  // File transfer (file_transfers.h): local until the file is read or the
  // offer found; `name` is the user (kSendFile) or the transfer's id.
  kSendFile,     // FILE OFFER `name` ... for the file at `text`
  kFiles,        // local: list offers and transfers
  kGetFile,      // FILE ACCEPT `name`
  kDeclineFile,  // FILE REJECT `name`
  kCancelFile,   // FILE CANCEL `name`
};

// How the words after the command word are read.
enum class Shape {
  kExact,     // the line is the word and nothing else
  kName,      // word NAME
  kText,      // word TEXT
  kNameText,  // word NAME TEXT
  kOptName,   // word [NAME]
  kColon,     // NAME:TEXT (no word)
  kVerbatim,  // a protocol line starting with the word, sent as typed
  kQuoted,    // word LINE: LINE is sent as typed
  kAnyLine,   // any line nothing else matched (no word)
};

struct Syntax {
  std::string_view word;  // what the line starts with
  Shape shape;
  Action action;
  std::string_view form;    // how /help shows it
  std::string_view origin;  // where users know it from
  // A near miss (the word with the wrong arguments) is reported as a usage
  // error instead of being sent as a broadcast. True for words nobody types
  // as chat: "/msg", "!bye", "server:who"; false for "exit" or "LIST".
  bool strict;
  // kRequest: the protocol verb sent ("INVITE"); a room verb ("JOIN",
  // "PART") puts a '#' before a NAME typed without one.
  std::string_view verb = {};
};

// The table, in matching order: the first entry that matches wins.
const std::vector<Syntax>& CommandTable();

struct Command {
  Action action = Action::kNothing;
  std::string request;  // the exact request line (no LF) when one is sent
  std::string name;     // kMesg/kJoin: the user; kHistory: the filter or ""
  std::string text;     // kMesg/kBcst: the text; kSendFile: the path
  std::string message;  // kUsage: what was wrong and the right form
  // A plain line (no command): a broadcast, or with /talk, to its target.
  bool plain = false;
};

// Maps one typed line (no LF) to what it does.
Command ParseInput(std::string_view line);

// When "Name:text" is a private message (or "#room:text" a room message):
// Name is a valid username (or a valid room), no space
// comes before the colon, and the text starts right after the colon with
// something that is not a space or '/' ("Bob: hi" addresses Bob in public,
// "http://x" is a link), nor a digit after an all-digit name ("12:30").
bool IsColonMessage(std::string_view line, std::string_view* name,
                    std::string_view* text);

}  // namespace chat::client

#endif  // CHAT_CLIENT_COMMAND_TABLE_H_
