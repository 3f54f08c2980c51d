// Strict UTF-8 decoding of one sequence, shared by the text check and the
// terminal sanitizer, so both agree on what well-formed UTF-8 is.
// Internal to the protocol module.
#ifndef CHAT_PROTOCOL_UTF8_H_
#define CHAT_PROTOCOL_UTF8_H_

#include <cstddef>
#include <cstdint>

namespace chat::protocol::utf8 {

struct Sequence {
  size_t length;  // valid: bytes of the sequence; invalid: bytes to replace
  bool valid;
  char32_t code_point;  // meaningful when valid
};

// Decodes the sequence starting at p[0] (size > 0) following Unicode's table
// of well-formed byte sequences (Table 3-7): overlong forms, surrogates
// (U+D800-U+DFFF) and anything above U+10FFFF are ill-formed because their
// lead or second byte is out of range. An ill-formed sequence reports its
// maximal subpart (the longest prefix that could start a valid sequence, at
// least one byte), which is what gets one U+FFFD in Unicode's recommended
// replacement practice.
inline Sequence Decode(const unsigned char* p, size_t size) {
  const unsigned char lead = p[0];
  if (lead < 0x80) return {1, true, lead};
  size_t trailing;
  char32_t code_point;
  unsigned char low = 0x80;  // range of the second byte; later ones 80..BF
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    trailing = 1;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    trailing = 2;
    code_point = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;   // below: overlong
    if (lead == 0xED) high = 0x9F;  // above: surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    trailing = 3;
    code_point = lead & 0x07;
    if (lead == 0xF0) low = 0x90;   // below: overlong
    if (lead == 0xF4) high = 0x8F;  // above: beyond U+10FFFF
  } else {
    return {1, false, 0};  // continuation byte, C0, C1 or F5..FF as a lead
  }
  for (size_t i = 1; i <= trailing; ++i) {
    if (i >= size || p[i] < low || p[i] > high) return {i, false, 0};
    code_point = (code_point << 6) | (p[i] & 0x3F);
    low = 0x80;
    high = 0xBF;
  }
  return {trailing + 1, true, code_point};
}

}  // namespace chat::protocol::utf8

#endif  // CHAT_PROTOCOL_UTF8_H_
