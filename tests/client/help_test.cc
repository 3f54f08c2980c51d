// The client's own instructions: /help covers every row of the command
// table, and no line is wider than an 80-column terminal (one the terminal
// wraps cuts a word or a command form in two).
#include "client/help.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/command_table.h"

namespace chat::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(HelpTest, HelpListsEveryRowOfTheTableAndTheKeys) {
  std::string help;
  for (const std::string& line : HelpLines()) help += line + "\n";
  for (const Syntax& syntax : CommandTable()) {
    // Each form whole on one line: wrapping breaks only between forms.
    EXPECT_THAT(help, HasSubstr(std::string(syntax.form)));
  }
  EXPECT_THAT(help, HasSubstr("Ctrl-D"));
  EXPECT_THAT(help, HasSubstr("Tab"));
}

TEST(HelpTest, HelpAndHintFitAnEightyColumnTerminal) {
  std::vector<std::string> lines = HelpLines();
  for (const std::string& line : HintLines()) lines.push_back(line);
  for (const std::string& line : lines) {
    EXPECT_LE(line.size(), kHelpWidth) << "too wide: \"" << line << "\"";
  }
}

TEST(HelpTest, WrapBreaksBetweenPiecesAndKeepsTheSeparatorsMark) {
  EXPECT_THAT(WrapPieces({"aaa", "bbb", "ccc"}, ", ", "  ", 12),
              ElementsAre("  aaa, bbb,", "  ccc"));
  EXPECT_THAT(WrapPieces({"one", "two", "three"}, " ", "", 7),
              ElementsAre("one two", "three"));
  // A piece longer than the width is not cut.
  EXPECT_THAT(WrapPieces({"a", "longer-than-width", "b"}, " ", "", 5),
              ElementsAre("a", "longer-than-width", "b"));
}

}  // namespace
}  // namespace chat::client
