// Statistics and report formatting: percentiles, the JSON line, the table.
#include "bench/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "bench/flat_json.h"
#include "bench/stats.h"

namespace chat::bench {
namespace {

using chat::test::ParseFlatJson;

TEST(StatsTest, PercentilesAreNearestRankValuesThatWereMeasured) {
  std::vector<int64_t> sorted;
  for (int64_t i = 1; i <= 100; ++i) sorted.push_back(i * 10);
  EXPECT_EQ(Percentile(sorted, 50), 500);
  EXPECT_EQ(Percentile(sorted, 90), 900);
  EXPECT_EQ(Percentile(sorted, 99), 990);
  EXPECT_EQ(Percentile(sorted, 100), 1000);
  EXPECT_EQ(Percentile(sorted, 0), 10);
  EXPECT_EQ(Percentile({7}, 99), 7);
  EXPECT_EQ(Percentile({}, 50), 0);
}

TEST(StatsTest, SummarySortsItsSamples) {
  Summary summary = Summarize({30, 10, 20, 40});
  EXPECT_EQ(summary.count, 4u);
  EXPECT_EQ(summary.p50, 20);
  EXPECT_EQ(summary.p99, 40);
  EXPECT_EQ(summary.max, 40);
  EXPECT_DOUBLE_EQ(summary.mean, 25);
  EXPECT_EQ(Summarize({}).count, 0u);
}

TEST(StatsTest, RateOverNoTimeIsZeroNotInfinite) {
  EXPECT_DOUBLE_EQ(PerSecond(100, 0.5), 200);
  EXPECT_DOUBLE_EQ(PerSecond(100, 0), 0);
}

Report SampleReport() {
  Report report;
  report.scenario = "rtt";
  report.dialect = "chat";
  report.label = "ours";
  report.target = "127.0.0.1:4000";
  report.Param("idle_users", int64_t{1000}, "registered, silent");
  report.Figure("p50_us", 95.25, "round trip, median");
  report.Figure("note", std::string("say \"hi\"\\\n\x01"));
  report.expected = 10;
  report.received = 10;
  return report;
}

TEST(ReportTest, JsonLineIsOneValidObjectWithEveryField) {
  std::string line = FormatJson(SampleReport());
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  auto fields = ParseFlatJson(line);
  ASSERT_TRUE(fields) << "not a flat JSON object: " << line;
  EXPECT_EQ((*fields)["scenario"], "rtt");
  EXPECT_EQ((*fields)["dialect"], "chat");
  EXPECT_EQ((*fields)["label"], "ours");
  EXPECT_EQ((*fields)["idle_users"], "1000");
  EXPECT_EQ((*fields)["p50_us"], "95.25");
  EXPECT_EQ((*fields)["note"], "say \"hi\"\\\n\x01");
  EXPECT_EQ((*fields)["lost"], "0");
  EXPECT_EQ((*fields)["ok"], "true");
}

TEST(ReportTest, LossOrErrorsOrATimeoutMakeTheRunFail) {
  Report report = SampleReport();
  EXPECT_TRUE(report.ok());
  report.lost = 1;
  EXPECT_FALSE(report.ok());
  report.lost = 0;
  report.errors = 1;
  EXPECT_FALSE(report.ok());
  report.errors = 0;
  report.completed = false;
  EXPECT_FALSE(report.ok());
  auto fields = ParseFlatJson(FormatJson(report));
  ASSERT_TRUE(fields);
  EXPECT_EQ((*fields)["ok"], "false");
  EXPECT_EQ((*fields)["completed"], "false");
}

TEST(ReportTest, RealsHaveAtMostThreeDecimalsAndNonFiniteIsNull) {
  EXPECT_EQ(JsonValue(1.0), "1");
  EXPECT_EQ(JsonValue(0.1234567), "0.123");
  EXPECT_EQ(JsonValue(-0.0001), "0");
  EXPECT_EQ(JsonValue(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(JsonValue(std::nan("")), "null");
  EXPECT_EQ(JsonValue(int64_t{-42}), "-42");
}

TEST(ReportTest, TableShowsEachFigureWithItsHelpAndTheVerdict) {
  std::string table = FormatTable(SampleReport());
  EXPECT_NE(table.find("rtt against 127.0.0.1:4000 (chat, ours)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("p50_us"), std::string::npos) << table;
  EXPECT_NE(table.find("95.25  round trip, median"), std::string::npos)
      << table;
  EXPECT_NE(table.find("lost"), std::string::npos) << table;
  EXPECT_NE(table.find("result: ok"), std::string::npos) << table;
  Report failed = SampleReport();
  failed.lost = 3;
  failed.problems.push_back("3 messages went missing");
  table = FormatTable(failed);
  EXPECT_NE(table.find("result: FAILED"), std::string::npos) << table;
  EXPECT_NE(table.find("! 3 messages went missing"), std::string::npos)
      << table;
}

}  // namespace
}  // namespace chat::bench
