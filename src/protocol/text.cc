// The protocol's text rules: which lines may be relayed (strict UTF-8, no
// control bytes but TAB) and what a username is.
#include "protocol/text.h"

#include <cstdint>
#include <cstring>

#include "protocol/utf8.h"

namespace chat::protocol {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// True when all 8 bytes of w are printable ASCII (0x20-0x7E), the bulk of
// chat text; other bytes (TAB included) take the byte-wise path. With no high
// bit set, no byte addition below carries into its neighbour: w + 0x01 sets a
// byte's high bit only for 0x7F, w + 0x60 only for bytes >= 0x20.
bool AllPrintableAscii(uint64_t w) {
  if ((w & kHighBits) != 0) return false;
  if (((w + kOnes) & kHighBits) != 0) return false;
  return ((w + 0x60 * kOnes) & kHighBits) == kHighBits;
}

bool IsAllowedAscii(unsigned char c) {
  return c == '\t' || (c >= 0x20 && c != 0x7F);
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool IsValidText(std::string_view line) {
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  size_t left = line.size();
  while (left > 0) {
    if (left >= 8) {
      uint64_t w;
      std::memcpy(&w, p, sizeof w);
      if (AllPrintableAscii(w)) {
        p += 8;
        left -= 8;
        continue;
      }
    }
    if (*p < 0x80) {
      if (!IsAllowedAscii(*p)) return false;
      ++p;
      --left;
      continue;
    }
    const utf8::Sequence seq = utf8::Decode(p, left);
    if (!seq.valid) return false;
    if (seq.code_point >= 0x80 && seq.code_point <= 0x9F) return false;  // C1
    p += seq.length;
    left -= seq.length;
  }
  return true;
}

bool IsValidUsername(std::string_view name) {
  if (name.empty() || name.size() > kMaxUsernameLength) return false;
  for (char c : name) {
    if (!IsAsciiAlnum(c)) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace chat::protocol
