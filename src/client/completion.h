// What Tab completes in the line editor: the names of the users this
// session has seen online (Roster, kept from LIST answers and pushes) and,
// at the start of a line, the command words of the table.
#ifndef CHAT_CLIENT_COMPLETION_H_
#define CHAT_CLIENT_COMPLETION_H_

#include <string>
#include <string_view>
#include <vector>

namespace chat::client {

// Usernames believed online, in the order first seen. Only valid usernames
// are kept: a completion is inserted into the typed line as is.
class Roster {
 public:
  void Add(std::string_view name);
  void Remove(std::string_view name);
  // A LIST answer: exactly these names.
  void Replace(const std::vector<std::string_view>& names);
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

// The words `word` may be completed to: names starting with it (without
// regard to case, as the server compares names), and when `line_start`,
// command words starting with it ("/his" -> "/history"). A name at the
// start of the line completes to the private form "Carol:", so what is
// typed next goes to Carol only; "Carol " would make the line a broadcast.
std::vector<std::string> Completions(std::string_view word, bool line_start,
                                     const std::vector<std::string>& names);

}  // namespace chat::client

#endif  // CHAT_CLIENT_COMPLETION_H_
