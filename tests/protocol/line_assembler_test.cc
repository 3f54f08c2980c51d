// LineAssembler: framing of a byte stream into lines, the 4096-byte limit
// with its CRLF boundary, the once-only Line Too Long report and the memory
// bound for an endless line.
#include "protocol/line_assembler.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace chat::protocol {
namespace {

using Status = LineAssembler::Status;

constexpr std::string_view kTooLong = "<too long>";

// Takes every event the assembler has, as readable strings: the line itself,
// or "<too long>". Bounded, so a bug that never says kNeedMore fails fast.
void Drain(LineAssembler& assembler, std::vector<std::string>* events) {
  for (int i = 0; i < 1'000'000; ++i) {
    std::string_view line;
    switch (assembler.Next(&line)) {
      case Status::kLine:
        events->emplace_back(line);
        break;
      case Status::kTooLong:
        events->emplace_back(kTooLong);
        break;
      case Status::kNeedMore:
        return;
    }
  }
  ADD_FAILURE() << "Next() never returned kNeedMore";
}

std::vector<std::string> FeedChunks(const std::vector<std::string>& chunks,
                                    size_t max = kMaxLineBytes) {
  LineAssembler assembler(max);
  std::vector<std::string> events;
  for (const std::string& chunk : chunks) {
    assembler.Append(chunk);
    Drain(assembler, &events);
  }
  return events;
}

std::vector<std::string> FeedWhole(const std::string& bytes,
                                   size_t max = kMaxLineBytes) {
  return FeedChunks({bytes}, max);
}

std::vector<std::string> FeedByteByByte(const std::string& bytes,
                                        size_t max = kMaxLineBytes) {
  std::vector<std::string> chunks;
  for (char c : bytes) chunks.emplace_back(1, c);
  return FeedChunks(chunks, max);
}

using Events = std::vector<std::string>;

TEST(LineAssemblerTest, SplitsLinesAtLf) {
  EXPECT_EQ(FeedWhole("JOIN Alice\nLIST\n"), (Events{"JOIN Alice", "LIST"}));
}

TEST(LineAssemblerTest, DropsOnlyTheCrRightBeforeLf) {
  EXPECT_EQ(FeedWhole("a\r\n"), (Events{"a"}));
  EXPECT_EQ(FeedWhole("a\r\r\n"), (Events{"a\r"}));
}

TEST(LineAssemblerTest, LoneCrInsideALineIsContent) {
  EXPECT_EQ(FeedWhole("a\rb\n\rc\n"), (Events{"a\rb", "\rc"}));
}

TEST(LineAssemblerTest, EmptyLinesAreReturnedAsEmptyViews) {
  EXPECT_EQ(FeedWhole("\n\r\n\nx\n"), (Events{"", "", "", "x"}));
}

TEST(LineAssemblerTest, UnfinishedLineWaitsForItsLf) {
  LineAssembler assembler;
  std::string_view line = "stale";
  assembler.Append("LIST\nMESG Bob h");
  ASSERT_EQ(assembler.Next(&line), Status::kLine);
  EXPECT_EQ(line, "LIST");
  EXPECT_EQ(assembler.Next(&line), Status::kNeedMore);
  EXPECT_EQ(assembler.buffered(), 10u) << "\"MESG Bob h\" is still pending";
  assembler.Append("i\r");
  EXPECT_EQ(assembler.Next(&line), Status::kNeedMore);
  assembler.Append("\n");
  ASSERT_EQ(assembler.Next(&line), Status::kLine);
  EXPECT_EQ(line, "MESG Bob hi");
  EXPECT_EQ(assembler.Next(&line), Status::kNeedMore);
  EXPECT_EQ(assembler.buffered(), 0u);
}

TEST(LineAssemblerTest, LineSplitAcrossManyOneByteAppends) {
  const std::string stream = "JOIN Alice\r\nMESG Bob a\rb\n\nBCST  hi\n";
  EXPECT_EQ(FeedByteByByte(stream),
            (Events{"JOIN Alice", "MESG Bob a\rb", "", "BCST  hi"}));
}

TEST(LineAssemblerTest, ManyLinesInOneAppendComeOutInOrder) {
  std::string stream;
  Events expected;
  for (int i = 0; i < 1000; ++i) {
    expected.push_back("BCST message " + std::to_string(i));
    stream += expected.back() + (i % 2 ? "\r\n" : "\n");
  }
  EXPECT_EQ(FeedWhole(stream), expected);
}

// The limit at its edges, each fed whole, byte by byte and cut in two at
// every point of the last few bytes: the verdict must not depend on how the
// bytes arrive.
struct BoundaryCase {
  const char* name;
  std::string bytes;
  Events expected;
};

std::string Xs(size_t n) { return std::string(n, 'x'); }

std::vector<BoundaryCase> BoundaryCases() {
  return {
      {"4096 + LF", Xs(4096) + "\n", {Xs(4096)}},
      {"4096 + CRLF", Xs(4096) + "\r\n", {Xs(4096)}},
      {"4095 + CR as content + CRLF", Xs(4095) + "\r\r\n", {Xs(4095) + "\r"}},
      {"4097 + LF", Xs(4097) + "\n", {std::string(kTooLong)}},
      {"4097 + CRLF", Xs(4097) + "\r\n", {std::string(kTooLong)}},
      {"4096 + CR as content + CRLF",
       Xs(4096) + "\r\r\n",
       {std::string(kTooLong)}},
      {"4096 + CR + x + LF", Xs(4096) + "\rx\n", {std::string(kTooLong)}},
      {"too long then a normal line",
       Xs(5000) + "\nhello\n",
       {std::string(kTooLong), "hello"}},
      {"normal, too long, normal",
       "a\n" + Xs(4097) + "\r\nb\r\n",
       {"a", std::string(kTooLong), "b"}},
      {"two too long in a row",
       Xs(4097) + "\n" + Xs(9000) + "\n",
       {std::string(kTooLong), std::string(kTooLong)}},
  };
}

TEST(LineAssemblerTest, LimitBoundaryFedWhole) {
  for (const BoundaryCase& c : BoundaryCases()) {
    EXPECT_EQ(FeedWhole(c.bytes), c.expected) << c.name;
  }
}

TEST(LineAssemblerTest, LimitBoundaryFedByteByByte) {
  for (const BoundaryCase& c : BoundaryCases()) {
    EXPECT_EQ(FeedByteByByte(c.bytes), c.expected) << c.name;
  }
}

TEST(LineAssemblerTest, LimitBoundaryCutAnywhereNearTheEnd) {
  for (const BoundaryCase& c : BoundaryCases()) {
    for (size_t cut = 4090; cut <= 4100 && cut < c.bytes.size(); ++cut) {
      EXPECT_EQ(FeedChunks({c.bytes.substr(0, cut), c.bytes.substr(cut)}),
                c.expected)
          << c.name << ", cut after " << cut << " bytes";
    }
  }
}

TEST(LineAssemblerTest, TooLongIsReportedBeforeTheLfArrives) {
  LineAssembler assembler;
  std::string_view line;
  assembler.Append(Xs(4096));
  EXPECT_EQ(assembler.Next(&line), Status::kNeedMore) << "4096 bytes are fine";
  assembler.Append("x");
  EXPECT_EQ(assembler.Next(&line), Status::kTooLong)
      << "4097 bytes without CR are too long whatever follows";
  EXPECT_EQ(assembler.Next(&line), Status::kNeedMore) << "reported once";
}

TEST(LineAssemblerTest, TrailingCrAtTheLimitWaitsForTheNextByte) {
  // 4096 bytes + CR may still be a 4096-byte line ending in CRLF.
  LineAssembler assembler;
  std::string_view line;
  assembler.Append(Xs(4096) + "\r");
  EXPECT_EQ(assembler.Next(&line), Status::kNeedMore);
  assembler.Append("\n");
  ASSERT_EQ(assembler.Next(&line), Status::kLine);
  EXPECT_EQ(line.size(), 4096u);

  assembler.Append(Xs(4096) + "\r");
  EXPECT_EQ(assembler.Next(&line), Status::kNeedMore);
  assembler.Append("y");
  EXPECT_EQ(assembler.Next(&line), Status::kTooLong)
      << "the CR was content: 4097 bytes";
}

TEST(LineAssemblerTest, TooLongIsReportedOncePerLine) {
  std::vector<std::string> chunks(100, Xs(100));
  chunks.push_back("\nnext\n");
  EXPECT_EQ(FeedChunks(chunks), (Events{std::string(kTooLong), "next"}));
}

TEST(LineAssemblerTest, LineAfterATooLongOneIsReadNormally) {
  // The rest of the over-long line and the next line arrive together.
  EXPECT_EQ(FeedChunks({Xs(4097), Xs(10) + "\nLIST\n"}),
            (Events{std::string(kTooLong), "LIST"}));
}

TEST(LineAssemblerTest, EndlessLineKeepsMemoryBounded) {
  LineAssembler assembler;
  std::vector<std::string> events;
  const std::string chunk = Xs(4000);
  for (int i = 0; i < 500; ++i) {  // 2 MB without an LF
    assembler.Append(chunk);
    ASSERT_LE(assembler.buffered(), kMaxLineBytes + 2)
        << "after appending " << (i + 1) * chunk.size() << " bytes";
    Drain(assembler, &events);
  }
  EXPECT_EQ(events, (Events{std::string(kTooLong)}));
  assembler.Append("\nPING\n");
  Drain(assembler, &events);
  EXPECT_EQ(events, (Events{std::string(kTooLong), "PING"}));
}

TEST(LineAssemblerTest, HugeSingleAppendKeepsOnlyWhatProvesTheLineLong) {
  // Even before Next() is called, an over-long line is cut to the bound.
  LineAssembler assembler;
  assembler.Append("LIST\n" + Xs(1 << 20));
  EXPECT_LE(assembler.buffered(), 5 + kMaxLineBytes + 2);
  assembler.Append(Xs(1 << 20) + "\n" + Xs(1 << 20) + "\nQUIT\n");
  EXPECT_LE(assembler.buffered(), 5 + 2 * (kMaxLineBytes + 3) + 5);
  std::vector<std::string> events;
  Drain(assembler, &events);
  EXPECT_EQ(events, (Events{"LIST", std::string(kTooLong),
                            std::string(kTooLong), "QUIT"}));
}

TEST(LineAssemblerTest, SmallLimitBoundaries) {
  EXPECT_EQ(FeedWhole("12345678\n", 8), (Events{"12345678"}));
  EXPECT_EQ(FeedWhole("123456789\n", 8), (Events{std::string(kTooLong)}));
  EXPECT_EQ(FeedWhole("\n\r\nx\n", 0), (Events{"", "", std::string(kTooLong)}));
}

// A model of the framing for complete lines: split at LF, drop one CR, judge
// the length. Any way of cutting the stream must give the same events.
Events ReferenceFraming(const std::string& stream, size_t max) {
  Events events;
  size_t start = 0;
  for (size_t lf = stream.find('\n'); lf != std::string::npos;
       lf = stream.find('\n', start)) {
    std::string line = stream.substr(start, lf - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    events.push_back(line.size() > max ? std::string(kTooLong) : line);
    start = lf + 1;
  }
  return events;
}

TEST(LineAssemblerTest, RandomStreamsCutRandomlyMatchTheReference) {
  std::mt19937 random(12345);
  const std::string alphabet = "ab\r\r\n";
  for (int round = 0; round < 300; ++round) {
    const size_t max = random() % 10;
    std::string stream;
    const size_t length = random() % 400;
    for (size_t i = 0; i < length; ++i) {
      // Long runs without LF now and then, to exercise the cut-off.
      if (random() % 50 == 0) stream += Xs(random() % 40);
      stream += alphabet[random() % alphabet.size()];
    }
    stream += '\n';
    std::vector<std::string> chunks;
    for (size_t at = 0; at < stream.size();) {
      const size_t n = 1 + random() % 30;
      chunks.push_back(stream.substr(at, n));
      at += n;
    }
    ASSERT_EQ(FeedChunks(chunks, max), ReferenceFraming(stream, max))
        << "round " << round << ", max " << max;
  }
}

}  // namespace
}  // namespace chat::protocol
