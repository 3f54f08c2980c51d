// What the scenarios share: user names, message texts, counts, report
// outcomes, addresses.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "bench/address.h"
#include "bench/scenario.h"

namespace chat::bench {
namespace {

TEST(NamingTest, UserNamesAreShortAlphanumericAndStartWithALetter) {
  std::string tag = RunTag();
  EXPECT_EQ(tag.size(), 3u);
  std::set<std::string> seen;
  for (int64_t index : {int64_t{0}, int64_t{35}, int64_t{36}, int64_t{99999},
                        int64_t{60'466'175}}) {
    std::string name = UserName('h', tag, index);
    EXPECT_LE(name.size(), 9u) << name << " exceeds IRC's 9-character nicks";
    EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(name[0]))) << name;
    for (char c : name) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << name;
    }
    EXPECT_TRUE(seen.insert(name).second) << "duplicate name " << name;
  }
}

TEST(NamingTest, MessageTextHasItsSizeAndItsSequenceReadsBack) {
  std::string text = MessageText(1234, 32);
  EXPECT_EQ(text.size(), 32u);
  EXPECT_EQ(ParseSequence(text), 1234);
  EXPECT_EQ(ParseSequence(MessageText(7, 1)), 7);  // longer than asked
  EXPECT_FALSE(ParseSequence("x12"));
  EXPECT_FALSE(ParseSequence("12x"));
  EXPECT_FALSE(ParseSequence(""));
}

TEST(NamingTest, EachPairOfMembersGetsOneAnnouncement) {
  EXPECT_EQ(PairwiseAnnouncements(0), 0);
  EXPECT_EQ(PairwiseAnnouncements(1), 0);
  EXPECT_EQ(PairwiseAnnouncements(2), 1);
  EXPECT_EQ(PairwiseAnnouncements(1002), 1002 * 1001 / 2);
}

TEST(ReportOutcomeTest, ShortfallIsLostAndMissingAnswersAreErrors) {
  Report report;
  EXPECT_EQ(CountDeliveries(10, 7, &report), 3);
  EXPECT_EQ(CountDeliveries(5, 5, &report), 0);
  EXPECT_EQ(report.expected, 15);
  EXPECT_EQ(report.received, 12);
  EXPECT_EQ(report.lost, 3);
  EXPECT_TRUE(report.completed) << "a shortfall alone is no timeout";

  CountMissingAcks(0, "BCST", &report);
  EXPECT_EQ(report.errors, 0);
  CountMissingAcks(2, "MESG", &report);
  EXPECT_EQ(report.errors, 2);
  EXPECT_EQ(report.problems,
            std::vector<std::string>{"2 OK MESG answers missing"});

  MarkIncomplete("ran out of time", &report);
  EXPECT_FALSE(report.completed);
  EXPECT_EQ(report.problems.back(), "ran out of time");
}

std::string Text(in_addr address) {
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &address, text, sizeof text);
  return text;
}

TEST(AddressTest, SourcesCycleThroughLoopbackAddresses) {
  EXPECT_EQ(Text(SourceAddress(0, 3)), "127.0.0.1");
  EXPECT_EQ(Text(SourceAddress(1, 3)), "127.0.0.2");
  EXPECT_EQ(Text(SourceAddress(3, 3)), "127.0.0.1");
  EXPECT_EQ(Text(SourceAddress(253, 1000)), "127.0.0.254");
  EXPECT_EQ(Text(SourceAddress(254, 1000)), "127.0.1.1");
  EXPECT_EQ(Text(SourceAddress(5, 0)), "127.0.0.1");
}

TEST(AddressTest, OnlyNumericLoopbackEndpointsAreAccepted) {
  auto endpoint = LoopbackEndpoint("127.0.0.1", 6667);
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(FormatEndpoint(*endpoint), "127.0.0.1:6667");
  EXPECT_TRUE(LoopbackEndpoint("127.255.0.9", 1));
  EXPECT_FALSE(LoopbackEndpoint("192.168.1.1", 1));
  EXPECT_FALSE(LoopbackEndpoint("localhost", 1));
  EXPECT_FALSE(LoopbackEndpoint("", 1));
}

}  // namespace
}  // namespace chat::bench
