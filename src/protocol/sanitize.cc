// SanitizeForTerminal: what the client does to network text before it
// reaches the terminal, so that no byte from a peer can move the cursor,
// change colours or start an escape sequence.
#include <cstdint>

#include "protocol/text.h"
#include "protocol/utf8.h"

namespace chat::protocol {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsPlainAscii(unsigned char c) {
  return c == '\t' || (c >= 0x20 && c < 0x7F);
}

// Bidirectional embeddings, overrides and isolates: a peer could use them to
// reverse how the rest of the line (the next user's name included) reads.
bool IsBidiControl(char32_t code_point) {
  return (code_point >= 0x202A && code_point <= 0x202E) ||
         (code_point >= 0x2066 && code_point <= 0x2069);
}

void AppendEscape(std::string* out, char32_t code_point) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) {
    *out += kHex[(code_point >> shift) & 0xF];
  }
}

}  // namespace

std::string SanitizeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    // Copy the longest run that needs nothing done in one append.
    size_t run = i;
    while (run < size && IsPlainAscii(begin[run])) ++run;
    out.append(text.data() + i, run - i);
    i = run;
    if (i == size) break;
    const unsigned char c = begin[i];
    if (c < 0x20) {  // C0 control: caret notation, ESC is "^["
      out += '^';
      out += static_cast<char>(c + 0x40);
      ++i;
      continue;
    }
    if (c == 0x7F) {
      out += "^?";
      ++i;
      continue;
    }
    const utf8::Sequence seq = utf8::Decode(begin + i, size - i);
    if (!seq.valid) {
      out += kReplacement;
    } else if (seq.code_point <= 0x9F || IsBidiControl(seq.code_point)) {
      // C1 control (U+0080-U+009F): some terminals act on it (U+009B is a
      // CSI), so it is shown as an escape such as "\u009b"; so are the
      // bidirectional controls.
      AppendEscape(&out, seq.code_point);
    } else {
      out.append(text.data() + i, seq.length);
    }
    i += seq.length;
  }
  return out;
}

}  // namespace chat::protocol
