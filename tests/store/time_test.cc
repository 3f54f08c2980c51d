// The store's time format: RFC 3339 UTC with milliseconds, and its parsing
// (chat-admin --since).
#include <gtest/gtest.h>

#include "store/database.h"

namespace chat::store {
namespace {

TEST(TimeTest, FormatAndParseAreInverse) {
  const int64_t ms = 1796389503818;  // 2026-12-04T13:05:03.818Z
  EXPECT_EQ(FormatTime(ms), "2026-12-04T13:05:03.818Z");
  EXPECT_EQ(ParseTime(FormatTime(ms)), ms);
  EXPECT_EQ(ParseTime("2026-12-04"), 1796342400000);
  EXPECT_EQ(ParseTime("2026-12-04T13:05"), 1796389500000);
  EXPECT_EQ(ParseTime("2026-12-04 13:05:03"), 1796389503000);
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-12-04T25:00",
                          "2026-12-04T13:05:03.8Z", "2026-12-04x"}) {
    EXPECT_FALSE(ParseTime(bad)) << bad;
  }
}

}  // namespace
}  // namespace chat::store
