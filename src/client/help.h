// The text the client prints to teach itself: /help (the command table
// grouped by what each syntax does, and the keys) and the hint shown once
// registered. Every line fits an 80-column terminal.
#ifndef CHAT_CLIENT_HELP_H_
#define CHAT_CLIENT_HELP_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chat::client {

// Columns the help lines may take: one less than the smallest usual
// terminal, whose last column makes some terminals wrap early.
inline constexpr size_t kHelpWidth = 79;

std::vector<std::string> HelpLines();

// Two lines telling a new user how to chat, get help and leave.
std::vector<std::string> HintLines();

// `pieces` joined by `separator` into lines of at most `width` columns,
// breaking only between pieces; every line starts with `indent`. A piece
// longer than a line gets a line of its own.
std::vector<std::string> WrapPieces(const std::vector<std::string_view>& pieces,
                                    std::string_view separator,
                                    std::string_view indent, size_t width);

}  // namespace chat::client

#endif  // CHAT_CLIENT_HELP_H_
