// The text rules: strict UTF-8 with no control byte but TAB, usernames,
// case-insensitive comparison, and what the client may show on a terminal.
#include "protocol/text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace chat::protocol {
namespace {

using std::string_literals::operator""s;

struct TextCase {
  const char* name;
  std::string bytes;
};

// Shows bytes as C escapes, so a failure names the exact input.
std::string Escaped(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

TEST(IsValidTextTest, AcceptsWellFormedTextWithTab) {
  const std::vector<TextCase> cases = {
      {"empty", ""},
      {"ASCII", "Hello, world! ~{}|"},
      {"TAB", "a\tb\t"},
      {"long ASCII (word at a time)", std::string(1000, 'a') + " end"},
      {"2-byte U+00E9", "caf\xC3\xA9"},
      {"2-byte lowest non-control U+00A0", "\xC2\xA0"},
      {"2-byte highest U+07FF", "\xDF\xBF"},
      {"3-byte lowest U+0800", "\xE0\xA0\x80"},
      {"3-byte U+20AC", "\xE2\x82\xAC"},
      {"3-byte U+D7FF before the surrogates", "\xED\x9F\xBF"},
      {"3-byte U+E000 after the surrogates", "\xEE\x80\x80"},
      {"3-byte U+FFFD", "\xEF\xBF\xBD"},
      {"3-byte U+FFFF", "\xEF\xBF\xBF"},
      {"4-byte lowest U+10000", "\xF0\x90\x80\x80"},
      {"4-byte U+1F600", "\xF0\x9F\x98\x80"},
      {"4-byte highest U+10FFFF", "\xF4\x8F\xBF\xBF"},
      {"multi-byte across word boundaries",
       "abcdefg\xC3\xA9hijklm\xE2\x82\xAC"
       "nopqrs\xF0\x9F\x98\x80tuvwxyz"},
  };
  for (const TextCase& c : cases) {
    EXPECT_TRUE(IsValidText(c.bytes))
        << c.name << ": \"" << Escaped(c.bytes) << "\" should be valid";
  }
}

TEST(IsValidTextTest, RefusesControlBytesOtherThanTab) {
  for (int byte = 0; byte < 0x20; ++byte) {
    if (byte == '\t') continue;
    const std::string text = "ab"s + static_cast<char>(byte) + "cd";
    EXPECT_FALSE(IsValidText(text)) << "control byte " << byte;
  }
  EXPECT_FALSE(
      IsValidText("ab\x7F"
                  "cd"))
      << "DEL";
  EXPECT_FALSE(IsValidText("\0"s)) << "NUL alone";
}

TEST(IsValidTextTest, RefusesC1ControlsThatTerminalsTakeForEscapes) {
  for (int low = 0x80; low <= 0x9F; ++low) {
    const std::string text = "ab\xC2"s + static_cast<char>(low) + "cd";
    EXPECT_FALSE(IsValidText(text)) << "C1 control U+00" << std::hex << low;
  }
  EXPECT_TRUE(IsValidText("\xC2\xA0")) << "U+00A0 is not a control";
}

TEST(IsValidTextTest, RefusesIllFormedUtf8) {
  const std::vector<TextCase> cases = {
      {"overlong 2-byte NUL C0 80", "\xC0\x80"},
      {"overlong 2-byte C1 BF", "\xC1\xBF"},
      {"overlong 3-byte E0 80 80", "\xE0\x80\x80"},
      {"overlong 3-byte E0 9F BF", "\xE0\x9F\xBF"},
      {"overlong 4-byte F0 80 80 80", "\xF0\x80\x80\x80"},
      {"overlong 4-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF"},
      {"surrogate U+D800 ED A0 80", "\xED\xA0\x80"},
      {"surrogate U+DFFF ED BF BF", "\xED\xBF\xBF"},
      {"surrogate pair", "\xED\xA0\xBD\xED\xB8\x80"},
      {"above U+10FFFF: F4 90 80 80", "\xF4\x90\x80\x80"},
      {"lead F5", "\xF5\x80\x80\x80"},
      {"lead F8 (old 5-byte form)", "\xF8\x88\x80\x80\x80"},
      {"byte FE", "\xFE"},
      {"byte FF", "\xFF"},
      {"truncated 2-byte", "\xC3"},
      {"truncated 3-byte", "\xE2\x82"},
      {"truncated 4-byte", "\xF0\x9F\x98"},
      {"truncated then ASCII",
       "\xE2\x82"
       "A"},
      {"truncated at the end of a long line", std::string(20, 'a') + "\xF0"},
      {"lone continuation 80", "\x80"},
      {"lone continuation BF", "a\xBF"},
      {"extra continuation", "\xC3\xA9\xA9"},
      {"2-byte with ASCII second byte",
       "\xC3"
       "A"},
  };
  for (const TextCase& c : cases) {
    EXPECT_FALSE(IsValidText(c.bytes))
        << c.name << ": \"" << Escaped(c.bytes) << "\" should be refused";
  }
}

TEST(IsValidTextTest, FindsABadByteAtEveryPositionOfALongLine) {
  // The word-at-a-time path must not skip a bad byte wherever it falls.
  const std::vector<std::string> bad = {"\x1B", "\x7F", "\x80",
                                        "\xFF", "\n",   "\0"s};
  for (const std::string& b : bad) {
    for (size_t at = 0; at < 24; ++at) {
      std::string text(24, 'x');
      text.replace(at, 1, b);
      EXPECT_FALSE(IsValidText(text))
          << "\"" << Escaped(text) << "\": bad byte at " << at;
    }
  }
  for (size_t at = 0; at < 24; ++at) {
    std::string text(24, 'x');
    text[at] = '\t';
    EXPECT_TRUE(IsValidText(text)) << "TAB at " << at;
  }
}

TEST(IsValidUsernameTest, AcceptsOneToThirtyTwoLettersOrDigits) {
  for (const std::string& name : {"a"s, "Z"s, "7"s, "Alice"s, "bob42"s,
                                  "ABCxyz0189"s, std::string(32, 'n')}) {
    EXPECT_TRUE(IsValidUsername(name)) << "\"" << name << "\"";
  }
}

TEST(IsValidUsernameTest, RefusesEverythingElse) {
  for (const std::string& name :
       {""s, std::string(33, 'n'), "a b"s, " a"s, "a_b"s, "a-b"s, "a.b"s,
        "a@b"s, "a:b"s, "a,b"s, "caf\xC3\xA9"s, "a\tb"s, "a\0"s, "[x]"s, "`"s,
        "{"s}) {
    EXPECT_FALSE(IsValidUsername(name)) << "\"" << Escaped(name) << "\"";
  }
}

TEST(EqualsIgnoreCaseTest, ComparesAsciiLettersWithoutCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Alice", "alice"));
  EXPECT_TRUE(EqualsIgnoreCase("ALICE", "aLiCe"));
  EXPECT_TRUE(EqualsIgnoreCase("Bob42", "bOB42"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("Alice", "Alic"));
  EXPECT_FALSE(EqualsIgnoreCase("Alice", "Alicf"));
  EXPECT_FALSE(EqualsIgnoreCase("a", ""));
  // Only letters fold: '@' and '`', '[' and '{' differ only by bit 0x20.
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));
  EXPECT_FALSE(EqualsIgnoreCase("1", "\x11"));
}

struct SanitizeCase {
  const char* name;
  std::string input;
  std::string expected;
};

TEST(SanitizeForTerminalTest, EscapesControlsAndReplacesBadUtf8) {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::vector<SanitizeCase> cases = {
      {"plain", "hello world", "hello world"},
      {"TAB kept", "a\tb", "a\tb"},
      {"ESC sequence", "\x1B[31mred", "^[[31mred"},
      {"NUL", "a\0b"s, "a^@b"},
      {"CR LF", "\r\n", "^M^J"},
      {"BEL BS", "\x07\x08", "^G^H"},
      {"unit separator 1F", "\x1F", "^_"},
      {"DEL", "\x7F", "^?"},
      {"C1 U+0080", "\xC2\x80", "\\u0080"},
      {"C1 CSI U+009B", "\xC2\x9B[2J", "\\u009b[2J"},
      {"C1 U+009F", "\xC2\x9F", "\\u009f"},
      {"U+00A0 is not C1", "\xC2\xA0", "\xC2\xA0"},
      {"right-to-left override U+202E",
       "a\xE2\x80\xAE"
       "b",
       "a\\u202eb"},
      {"first strong isolate U+2068", "\xE2\x81\xA8", "\\u2068"},
      {"U+2029 is not bidi control", "\xE2\x80\xA9", "\xE2\x80\xA9"},
      {"valid multi-byte kept", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
       "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"byte FF",
       "a\xFF"
       "b",
       "a" + fffd + "b"},
      {"lone continuation", "\x80", fffd},
      {"truncated 3-byte is one maximal subpart", "\xE2\x82", fffd},
      {"truncated 3-byte then ASCII",
       "\xE2\x82"
       "A",
       fffd + "A"},
      {"truncated 4-byte at end", "x\xF0\x9F\x98", "x" + fffd},
      {"overlong C0 80: two bytes, two replacements", "\xC0\x80", fffd + fffd},
      {"surrogate ED A0 80: three replacements", "\xED\xA0\x80",
       fffd + fffd + fffd},
      {"above U+10FFFF F4 90 80 80: four replacements", "\xF4\x90\x80\x80",
       fffd + fffd + fffd + fffd},
  };
  for (const SanitizeCase& c : cases) {
    EXPECT_EQ(SanitizeForTerminal(c.input), c.expected)
        << c.name << ": input \"" << Escaped(c.input) << "\"";
  }
}

TEST(SanitizeForTerminalTest, OutputOfAnyBytesIsSafeText) {
  // Whatever comes in, what goes out is valid UTF-8 with no control byte but
  // TAB and no C1 control.
  std::mt19937 random(4242);
  for (int round = 0; round < 2000; ++round) {
    std::string input(random() % 40, '\0');
    for (char& c : input) c = static_cast<char>(random() & 0xFF);
    const std::string output = SanitizeForTerminal(input);
    ASSERT_TRUE(IsValidText(output)) << "input \"" << Escaped(input)
                                     << "\" gave \"" << Escaped(output) << "\"";
    for (size_t i = 0; i + 1 < output.size(); ++i) {
      const auto first = static_cast<unsigned char>(output[i]);
      const auto second = static_cast<unsigned char>(output[i + 1]);
      ASSERT_FALSE(first == 0xC2 && second < 0xA0)
          << "C1 control left in \"" << Escaped(output) << "\"";
    }
  }
}

}  // namespace
}  // namespace chat::protocol
