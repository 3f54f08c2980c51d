// LineSplitter: lines cut out of arbitrary chunks, CR LF handling, bounds.
#include "bench/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chat::bench {
namespace {

std::vector<std::string> FeedAll(LineSplitter* splitter,
                                 const std::vector<std::string>& chunks,
                                 bool* all_fit = nullptr) {
  std::vector<std::string> lines;
  bool fit = true;
  for (const auto& chunk : chunks) {
    fit = splitter->Feed(chunk, [&](std::string_view line) {
      lines.emplace_back(line);
    }) && fit;
  }
  if (all_fit) *all_fit = fit;
  return lines;
}

TEST(LineSplitterTest, LinesInOneChunkComeOutInOrderWithoutTheirLf) {
  LineSplitter splitter;
  auto lines = FeedAll(&splitter, {"OK JOIN a\nJOINED b\n"});
  EXPECT_EQ(lines, (std::vector<std::string>{"OK JOIN a", "JOINED b"}));
  EXPECT_EQ(splitter.buffered(), 0u);
}

TEST(LineSplitterTest, LineSplitAcrossChunksIsJoined) {
  LineSplitter splitter;
  auto lines = FeedAll(&splitter, {"MES", "G a 1 x", "x\nBC", "ST a 2\n"});
  EXPECT_EQ(lines, (std::vector<std::string>{"MESG a 1 xx", "BCST a 2"}));
}

TEST(LineSplitterTest, CrBeforeLfIsDroppedEvenWhenSplitFromIt) {
  LineSplitter splitter;
  auto lines = FeedAll(&splitter, {":s 001 a :hi\r", "\nPING :x\r\n"});
  EXPECT_EQ(lines, (std::vector<std::string>{":s 001 a :hi", "PING :x"}));
}

TEST(LineSplitterTest, UnfinishedLineStaysBufferedUntilItsLf) {
  LineSplitter splitter;
  auto lines = FeedAll(&splitter, {"HELLO there"});
  EXPECT_TRUE(lines.empty());
  EXPECT_EQ(splitter.buffered(), 11u);
  lines = FeedAll(&splitter, {"\n"});
  EXPECT_EQ(lines, (std::vector<std::string>{"HELLO there"}));
}

TEST(LineSplitterTest, EmptyLinesAreReportedAsEmpty) {
  LineSplitter splitter;
  auto lines = FeedAll(&splitter, {"\n\r\na\n"});
  EXPECT_EQ(lines, (std::vector<std::string>{"", "", "a"}));
}

TEST(LineSplitterTest, EndlessLineIsRefusedAndForgotten) {
  LineSplitter splitter;
  bool fit = true;
  std::string huge(LineSplitter::kMaxTail + 1, 'x');
  FeedAll(&splitter, {huge}, &fit);
  EXPECT_FALSE(fit) << "a tail over kMaxTail should be reported";
  EXPECT_EQ(splitter.buffered(), 0u);
  auto lines = FeedAll(&splitter, {"next\n"});
  EXPECT_EQ(lines, (std::vector<std::string>{"next"}));
}

}  // namespace
}  // namespace chat::bench
