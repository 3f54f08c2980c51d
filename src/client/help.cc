// HelpLines and HintLines: the wording of the client's own instructions,
// laid out for an 80-column terminal (a line the terminal wraps breaks a
// word or a command form in two).
#include "client/help.h"

#include <array>

#include "client/command_table.h"

namespace chat::client {
namespace {

struct ActionHelp {
  Action action;
  std::string_view meaning;
  std::string_view verb = {};  // kRequest: which request's rows
};

constexpr std::array<ActionHelp, 27> kHelpGroups = {{
    {Action::kMesg, "send TEXT to NAME (or #ROOM) only"},
    {Action::kBcst, "send TEXT to everyone else"},
    {Action::kList, "list who is online (or in #ROOM)"},
    {Action::kQuit, "leave (so do Ctrl-D, Ctrl-C and the end of input)"},
    {Action::kJoin, "register as NAME (once, at the start)"},
    {Action::kRequest, "enter #ROOM (made if it does not exist)", "JOIN"},
    {Action::kRequest, "leave #ROOM", "PART"},
    {Action::kRequest, "list the rooms and their members' counts", "ROOMS"},
    {Action::kTalk, "plain lines go to #ROOM or NAME; alone: to everyone"},
    {Action::kRequest, "ask NAME to chat privately", "INVITE"},
    {Action::kRequest, "accept NAME's invitation", "ACCEPT"},
    {Action::kRequest, "decline NAME's invitation", "REJECT"},
    {Action::kRequest, "end the private chat with NAME", "END"},
    {Action::kRequest, "list your private chats", "CHATS"},
    {Action::kRequest, "ask: only users you accept may write to you",
     "PRIVACY"},
    {Action::kRegister, "make your name an account (asks a password)"},
    {Action::kLogin, "log in to the account NAME (asks its password)"},
    {Action::kPasswd, "change your account's password"},
    {Action::kUnregister, "delete your account and its stored messages"},
    {Action::kSendFile, "offer the file at PATH to NAME; sent once accepted"},
    {Action::kFiles, "list file offers and transfers with their IDs"},
    {Action::kGetFile, "accept file offer ID (saved in --download-dir)"},
    {Action::kDeclineFile, "decline file offer ID"},
    {Action::kCancelFile, "stop file transfer ID, sending or receiving"},
    {Action::kHistory, "this session's messages, all or with NAME; then older"},
    {Action::kHelp, "show this help"},
    {Action::kRaw, "send a protocol line exactly as typed"},
}};

// Words of `text`, so that a sentence wraps between words.
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

void Append(std::vector<std::string>* lines, std::vector<std::string> more) {
  lines->insert(lines->end(), more.begin(), more.end());
}

}  // namespace

std::vector<std::string> WrapPieces(const std::vector<std::string_view>& pieces,
                                    std::string_view separator,
                                    std::string_view indent, size_t width) {
  // A line that breaks ends with the separator less its spaces (a comma
  // after a form), so room for that is kept on every line.
  const std::string_view tail =
      separator.substr(0, separator.find_last_not_of(' ') + 1);
  std::vector<std::string> lines;
  std::string line;
  for (std::string_view piece : pieces) {
    if (!line.empty() &&
        line.size() + separator.size() + piece.size() + tail.size() <= width) {
      line += separator;
      line += piece;
      continue;
    }
    if (!line.empty()) lines.push_back(line + std::string(tail));
    line = std::string(indent) + std::string(piece);
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::vector<std::string> HelpLines() {
  std::vector<std::string> lines;
  lines.push_back("What you can type (every form in a group does the same):");
  for (const ActionHelp& group : kHelpGroups) {
    std::vector<std::string_view> forms;
    for (const Syntax& syntax : CommandTable()) {
      if (syntax.action == group.action &&
          (group.verb.empty() || syntax.verb == group.verb)) {
        forms.push_back(syntax.form);
      }
    }
    Append(&lines, WrapPieces(forms, ", ", "  ", kHelpWidth));
    lines.push_back("      " + std::string(group.meaning));
  }
  Append(&lines,
         WrapPieces(Words("NAME:TEXT is private only when NAME is a valid "
                          "username and TEXT follows the colon at once: "
                          "\"Bob: hi\" and \"http://x\" are broadcasts."),
                    " ", "", kHelpWidth));
  Append(&lines,
         WrapPieces(Words("Keys: Left/Right move, Up/Down recall earlier "
                          "lines, Ctrl-R/Ctrl-S recall the ones starting "
                          "like the typed text, Tab completes a name "
                          "(\"Ca\" Tab at the start gives \"Carol:\"), "
                          "Ctrl-A/Ctrl-E go to the start/end, Ctrl-U erases "
                          "the line, Ctrl-W the word before the cursor, "
                          "Ctrl-D on an empty line or Ctrl-C quits."),
                    " ", "", kHelpWidth));
  return lines;
}

std::vector<std::string> HintLines() {
  return {
      "Type a line to send it to everyone, or NAME:text to send it to "
      "NAME only.",
      "/help lists every command; /quit or Ctrl-D leaves."};
}

}  // namespace chat::client
