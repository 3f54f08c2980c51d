// Tab completion: the roster follows who is online, names complete without
// regard to case, and command words only at the start of a line.
#include "client/completion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chat::client {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(CompletionTest, RosterFollowsListJoinsAndLeaves) {
  Roster roster;
  roster.Replace({"Alice", "Bob"});
  roster.Add("carol");
  roster.Add("BOB");  // already known, in another case
  roster.Remove("alice");
  EXPECT_THAT(roster.names(), ElementsAre("Bob", "carol"));
  // A name that is not a username is never offered for the typed line.
  roster.Add("Ev\x1b[2Jil");
  roster.Add("");
  EXPECT_THAT(roster.names(), ElementsAre("Bob", "carol"));
}

TEST(CompletionTest, NamesCompleteInAnyCaseCommandsOnlyAtTheStart) {
  const std::vector<std::string> names = {"Bob", "bea", "Carol"};
  EXPECT_THAT(Completions("b", false, names), ElementsAre("Bob", "bea"));
  EXPECT_THAT(Completions("CA", false, names), ElementsAre("Carol"));
  // At the start of the line a name completes to the private form, so
  // that the text typed after it goes to that user only.
  EXPECT_THAT(Completions("Ca", true, names), ElementsAre("Carol:"));
  EXPECT_THAT(Completions("B", true, names), ElementsAre("Bob:", "bea:"));
  EXPECT_THAT(Completions("/his", true, names), ElementsAre("/history"));
  EXPECT_THAT(Completions("/his", false, names), IsEmpty());
  EXPECT_THAT(Completions("server:w", true, names), ElementsAre("server:who"));
  // Plain words are chat, not commands: "ex" is not turned into "exit".
  EXPECT_THAT(Completions("ex", true, names), IsEmpty());
  EXPECT_THAT(Completions("Dave", false, names), IsEmpty());
}

}  // namespace
}  // namespace chat::client
