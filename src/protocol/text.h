// The text rules of the protocol: what a line may contain and what a
// username is.
#ifndef CHAT_PROTOCOL_TEXT_H_
#define CHAT_PROTOCOL_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::protocol {

inline constexpr size_t kMaxUsernameLength = 32;

// Valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) and no
// control character other than TAB: 0x00-0x08, 0x0A-0x1F and 0x7F are
// refused, and so are the C1 controls U+0080-U+009F (two-byte UTF-8): U+009B
// is CSI to many terminals, and nothing the server relays may carry an
// escape sequence.
bool IsValidText(std::string_view line);

// [A-Za-z0-9]{1,32}
bool IsValidUsername(std::string_view name);

// ASCII case-insensitive equality (usernames are ASCII).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Makes untrusted text safe to write to a terminal (for display only; the
// result is not meant to be parsed back):
//   C0 controls other than TAB, in caret notation: ESC -> "^[", NUL -> "^@",
//     CR -> "^M", LF -> "^J"; DEL -> "^?";
//   C1 controls U+0080-U+009F -> "\u0080" .. "\u009f" (lower-case hex), and
//     likewise the bidirectional controls U+202A-U+202E and U+2066-U+2069,
//     which could make the rest of a line read backwards;
//   each maximal ill-formed UTF-8 subpart -> one U+FFFD (Unicode's practice);
//   TAB is kept as is (it only moves the cursor right); everything else,
//   valid UTF-8 included, is copied unchanged.
std::string SanitizeForTerminal(std::string_view text);

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_TEXT_H_
