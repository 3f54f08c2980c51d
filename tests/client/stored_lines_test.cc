// Parsing of OFFLINE and HISTORY data lines and of their times.
#include "client/stored_lines.h"

#include <gtest/gtest.h>

namespace chat::client {
namespace {

TEST(StoredLinesTest, OfflineLineSplitsIntoItsFields) {
  const auto line =
      ParseOffline("OFFLINE 17 2026-12-04T09:00:00.000Z Bob hi there");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->id, 17u);
  EXPECT_EQ(line->time, "2026-12-04T09:00:00.000Z");
  EXPECT_EQ(line->from, "Bob");
  EXPECT_EQ(line->text, "hi there");
}

TEST(StoredLinesTest, HistoryLineHasARecipient) {
  const auto line = ParseHistoryData(
      "HISTORY 5 2026-12-04T13:05:03.818Z Alice #lunch  pizza");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->id, 5u);
  EXPECT_EQ(line->from, "Alice");
  EXPECT_EQ(line->to, "#lunch");
  EXPECT_EQ(line->text, " pizza");  // text byte for byte
}

TEST(StoredLinesTest, MalformedLinesAreRefused) {
  for (const char* bad :
       {"OFFLINE", "OFFLINE 0 2026-12-04T09:00:00.000Z Bob hi",
        "OFFLINE x 2026-12-04T09:00:00.000Z Bob hi",
        "OFFLINE 1 yesterday Bob hi", "OFFLINE 1 2026-12-04T09:00:00.000Z",
        "OFFLINE 1 2026-13-04T09:00:00.000Z Bob hi", "MESG Bob hi",
        "OFFLINEX 1 2026-12-04T09:00:00.000Z Bob hi"}) {
    EXPECT_FALSE(ParseOffline(bad)) << bad;
  }
  EXPECT_FALSE(ParseHistoryData("HISTORY * 50"));
  EXPECT_FALSE(ParseHistoryData("HISTORY 3 2026-12-04T09:00:00.000Z Bob"));
  EXPECT_FALSE(ParseHistoryData("OK HISTORY 2"));
}

TEST(StoredLinesTest, UtcTimesWithOrWithoutFraction) {
  EXPECT_EQ(ParseUtcTime("1970-01-01T00:01:00.000Z"), 60);
  EXPECT_EQ(ParseUtcTime("1970-01-02T00:00:00Z"), 86400);
  EXPECT_FALSE(ParseUtcTime("1970-01-01T00:01:00.000"));
  EXPECT_FALSE(ParseUtcTime("1970-01-01 00:01:00.000Z"));
  EXPECT_FALSE(ParseUtcTime("1970-01-01T00:01:00.Z"));
}

TEST(StoredLinesTest, TimeShowsTheDateOnlyWhenNotToday) {
  setenv("TZ", "UTC", 1);
  tzset();
  const std::time_t at = *ParseUtcTime("2026-12-04T09:00:00.000Z");
  EXPECT_EQ(FormatStoredTime(at, at + 3600), "09:00");
  EXPECT_EQ(FormatStoredTime(at, at + 86400), "2026-12-04 09:00");
}

TEST(StoredLinesTest, WipeEmptiesTheString) {
  std::string secret = "correct-horse";
  Wipe(&secret);
  EXPECT_TRUE(secret.empty());
}

}  // namespace
}  // namespace chat::client
