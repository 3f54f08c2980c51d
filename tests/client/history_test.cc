// History: what /history and /history NAME select, bounded memory, clock.
#include "client/history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chat::client {
namespace {

using Kind = HistoryEntry::Kind;

std::vector<std::string> Texts(const std::vector<const HistoryEntry*>& in) {
  std::vector<std::string> texts;
  for (const HistoryEntry* entry : in) texts.push_back(entry->text);
  return texts;
}

TEST(HistoryTest, NameSelectsPrivateExchangeAndTheirBroadcasts) {
  History history;
  history.Add({1, Kind::kPrivateIn, "Bob", "from bob"});
  history.Add({2, Kind::kPrivateOut, "bob", "to bob"});
  history.Add({3, Kind::kBroadcastIn, "Bob", "bob to all"});
  history.Add({4, Kind::kPrivateIn, "Carol", "from carol"});
  history.Add({5, Kind::kBroadcastOut, "Alice", "me to all"});
  EXPECT_THAT(Texts(history.Select("BOB")),
              ::testing::ElementsAre("from bob", "to bob", "bob to all"));
  EXPECT_THAT(Texts(history.Select("")),
              ::testing::ElementsAre("from bob", "to bob", "bob to all",
                                     "from carol", "me to all"));
  EXPECT_TRUE(history.Select("Dave").empty());
}

TEST(HistoryTest, KeepsOnlyTheLastCapacityEntries) {
  History history(3);
  for (int i = 0; i < 10; ++i) {
    history.Add({i, Kind::kBroadcastIn, "Bob", std::to_string(i)});
  }
  EXPECT_EQ(history.size(), 3u);
  EXPECT_THAT(Texts(history.Select("")), ::testing::ElementsAre("7", "8", "9"));
}

TEST(HistoryTest, ClockIsHoursMinutesSeconds) {
  EXPECT_THAT(FormatClock(1700000000),
              ::testing::MatchesRegex("[0-2][0-9]:[0-5][0-9]:[0-5][0-9]"));
}

}  // namespace
}  // namespace chat::client
