// Roster and Completions. Command words come from the command table, so a
// new syntax is completed without being listed here.
#include "client/completion.h"

#include <algorithm>

#include "client/command_table.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         protocol::EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// Command words worth a Tab: one token with a mark that plain chat lacks
// ("/msg", "!bye", "server:who"); not "exit" or "LIST", which a word typed
// at the start of a chat line would otherwise keep turning into.
bool IsCommandWord(std::string_view word) {
  return !word.empty() && word.find(' ') == std::string_view::npos &&
         word.find_first_of("/!:") != std::string_view::npos;
}

}  // namespace

void Roster::Add(std::string_view name) {
  if (!protocol::IsValidUsername(name)) return;
  const bool known = std::any_of(
      names_.begin(), names_.end(), [name](const std::string& known) {
        return protocol::EqualsIgnoreCase(known, name);
      });
  if (!known) names_.emplace_back(name);
}

void Roster::Remove(std::string_view name) {
  std::erase_if(names_, [name](const std::string& known) {
    return protocol::EqualsIgnoreCase(known, name);
  });
}

void Roster::Replace(const std::vector<std::string_view>& names) {
  names_.clear();
  for (std::string_view name : names) Add(name);
}

std::vector<std::string> Completions(std::string_view word, bool line_start,
                                     const std::vector<std::string>& names) {
  std::vector<std::string> matches;
  for (const std::string& name : names) {
    if (StartsWithIgnoreCase(name, word)) {
      matches.push_back(line_start ? name + ":" : name);
    }
  }
  if (!line_start || word.empty()) return matches;
  for (const Syntax& syntax : CommandTable()) {
    const std::string_view command = syntax.word;
    if (IsCommandWord(command) && command.substr(0, word.size()) == word &&
        std::find(matches.begin(), matches.end(), command) == matches.end()) {
      matches.emplace_back(command);
    }
  }
  return matches;
}

}  // namespace chat::client
