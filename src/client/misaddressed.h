// A typed broadcast that looks like a private message gone wrong: "Carol
// :text" (a space slipped in before the colon, as a completed name followed
// by a typed colon gives) while Carol is online. The session holds such a
// line back and asks before sending it to everyone.
#ifndef CHAT_CLIENT_MISADDRESSED_H_
#define CHAT_CLIENT_MISADDRESSED_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::client {

// The online user `line` seems meant for, in the spelling of `online`: the
// line's first word is that user's name (in any case, not `self`), and
// after it come only spaces, then a colon. nullopt for any other line.
std::optional<std::string> MisaddressedTo(
    std::string_view line, const std::vector<std::string>& online,
    std::string_view self);

}  // namespace chat::client

#endif  // CHAT_CLIENT_MISADDRESSED_H_
