// PROTOCOL.md "Offline delivery" and "History" against a real server with a
// database: queued messages at the next login, in order, exactly once
// across a restart; mailbox limits; HISTORY with counts and paging.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "store/store_fixture.h"

namespace chat::test {
namespace {

using OfflineTest = StoreTest;
using HistoryTest = StoreTest;

// "OFFLINE <id> <time> Bob <text>" with a well-formed id and time.
::testing::AssertionResult IsOffline(const std::optional<std::string>& line,
                                     std::string_view from,
                                     std::string_view text) {
  static const std::regex kForm(
      R"(OFFLINE [1-9][0-9]* \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) (.*))");
  std::smatch match;
  if (!line) return ::testing::AssertionFailure() << "no line";
  if (!std::regex_match(*line, match, kForm) || match[1].str() != from ||
      match[2].str() != text) {
    return ::testing::AssertionFailure() << "expected OFFLINE from " << from
                                         << ": " << text << ", got " << *line;
  }
  return ::testing::AssertionSuccess();
}

TEST_F(OfflineTest, QueuedInOrderDeliveredOnceAcrossARestart) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  for (int i = 1; i <= 3; ++i) {
    bob->SendLine("MESG alice note " + std::to_string(i));
    ASSERT_TRUE(NextLineIs(*bob, "OK MESG Alice queued"));
  }
  bob.reset();
  ASSERT_NO_FATAL_FAILURE(Restart());
  auto alice = Login("Alice", "Alice");
  ASSERT_NE(alice, nullptr);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(
        IsOffline(alice->ReadLine(), "Bob", "note " + std::to_string(i)));
  }
  EXPECT_TRUE(NothingPending(*alice));
  alice->SendLine("QUIT");
  ASSERT_TRUE(ClosedAfter(*alice, {"OK QUIT"}));
  ASSERT_TRUE(server_->WaitForLog("LEFT Alice"));
  ASSERT_NO_FATAL_FAILURE(Restart());
  alice = Login("Alice", "Alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_TRUE(NothingPending(*alice)) << "delivered twice";
}

TEST_F(OfflineTest, QueuedMessagesComeBeforeLiveOnes) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  bob->SendLine("MESG Alice while away");
  ASSERT_TRUE(NextLineIs(*bob, "OK MESG Alice queued"));
  auto alice = Login("Alice", "Alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_TRUE(IsOffline(alice->ReadLine(), "Bob", "while away"));
  bob->SendLine("MESG Alice now live");
  // Bob's answer comes from his own worker, Alice's JOINED through the
  // broker, which may hold announcements back a few milliseconds (relay.h):
  // the two may come in either order.
  std::vector<std::string> bob_got;
  for (int i = 0; i < 2; ++i) {
    auto line = bob->ReadLine();
    ASSERT_TRUE(line) << "after " << testing::PrintToString(bob_got);
    bob_got.push_back(*line);
  }
  EXPECT_THAT(bob_got,
              testing::UnorderedElementsAre("JOINED Alice", "OK MESG Alice"));
  EXPECT_TRUE(NextLineIs(*alice, "MESG Bob now live"));
}

TEST_F(OfflineTest, MailboxLimitAndStrangers) {
  ASSERT_NO_FATAL_FAILURE(Restart({"--mailbox", "2"}));
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  bob->SendLine("MESG Alice one");
  EXPECT_TRUE(NextLineIs(*bob, "OK MESG Alice queued"));
  bob->SendLine("MESG Alice two");
  EXPECT_TRUE(NextLineIs(*bob, "OK MESG Alice queued"));
  bob->SendLine("MESG Alice three");
  EXPECT_TRUE(NextLineIs(*bob, "ERR Mailbox Full: Alice"));
  // Nobody holds the name and no account owns it.
  bob->SendLine("MESG Zed hello");
  EXPECT_TRUE(NextLineIs(*bob, "ERR Unknown Recipient: Zed"));
  EXPECT_TRUE(
      server_->WaitForLog("MESG by Bob refused: Unknown Recipient Zed"));
}

// "HISTORY <id> <time> <from> <to> <text>": the id, or 0 if malformed.
long HistoryId(const std::optional<std::string>& line, std::string_view from,
               std::string_view to, std::string_view text) {
  static const std::regex kForm(
      R"(HISTORY ([1-9][0-9]*) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) (\S+) (.*))");
  std::smatch match;
  if (!line || !std::regex_match(*line, match, kForm) ||
      match[2].str() != from || match[3].str() != to ||
      match[4].str() != text) {
    ADD_FAILURE() << "expected HISTORY " << from << " " << to << " " << text
                  << ", got " << (line ? *line : "nothing");
    return 0;
  }
  return std::stol(match[1]);
}

TEST_F(HistoryTest, BroadcastsWithCountsAndPaging) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  for (int i = 1; i <= 5; ++i) {
    alice->SendLine("BCST line " + std::to_string(i));
    ASSERT_TRUE(NextLineIs(*alice, "OK BCST 0"));
  }
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  bob->SendLine("HISTORY * 2");
  long fourth = HistoryId(bob->ReadLine(), "Alice", "*", "line 4");
  long fifth = HistoryId(bob->ReadLine(), "Alice", "*", "line 5");
  EXPECT_LT(fourth, fifth);
  EXPECT_TRUE(NextLineIs(*bob, "OK HISTORY 2"));
  bob->SendLine("HISTORY * 100 " + std::to_string(fourth));
  for (int i = 1; i <= 3; ++i) {
    HistoryId(bob->ReadLine(), "Alice", "*", "line " + std::to_string(i));
  }
  EXPECT_TRUE(NextLineIs(*bob, "OK HISTORY 3"));
  bob->SendLine("HISTORY *");
  for (int i = 1; i <= 5; ++i) {
    HistoryId(bob->ReadLine(), "Alice", "*", "line " + std::to_string(i));
  }
  EXPECT_TRUE(NextLineIs(*bob, "OK HISTORY 5"));
}

TEST_F(HistoryTest, BadRequests) {
  auto bob = ConnectAndGreet(port());
  bob->SendLine("HISTORY *");
  EXPECT_TRUE(NextLineIs(*bob,
                         "ERR Unregistered User: send JOIN <username> "
                         "first"));
  bob->SendLine("JOIN Bob");
  EXPECT_TRUE(NextLineIs(*bob, "OK JOIN Bob"));
  const std::string bad =
      "ERR Bad Syntax: HISTORY <target> [<count> [<before-id>]] (count "
      "1-100)";
  for (const char* line :
       {"HISTORY", "HISTORY ", "HISTORY * 0", "HISTORY * 101", "HISTORY * x",
        "HISTORY * 5 0", "HISTORY * 5 -1", "HISTORY * 5 1 2"}) {
    bob->SendLine(line);
    EXPECT_TRUE(NextLineIs(*bob, bad)) << line;
  }
  bob->SendLine("HISTORY Alice");
  EXPECT_TRUE(NextLineIs(*bob, "ERR No Account"));
}

TEST_F(HistoryTest, PrivateMessagesOfAnAccountAreKept) {
  auto alice = Register("Alice");
  ASSERT_NE(alice, nullptr);
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  ASSERT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  bob->SendLine("MESG Alice hello Alice");
  EXPECT_TRUE(NextLineIs(*bob, "OK MESG Alice"));
  EXPECT_TRUE(NextLineIs(*alice, "MESG Bob hello Alice"));
  alice->SendLine("MESG Bob hello Bob");
  EXPECT_TRUE(NextLineIs(*alice, "OK MESG Bob"));
  EXPECT_TRUE(NextLineIs(*bob, "MESG Alice hello Bob"));
  alice->SendLine("HISTORY bob");
  HistoryId(alice->ReadLine(), "Bob", "Alice", "hello Alice");
  HistoryId(alice->ReadLine(), "Alice", "Bob", "hello Bob");
  EXPECT_TRUE(NextLineIs(*alice, "OK HISTORY 2"));
}

TEST_F(HistoryTest, HistoryDaysZeroKeepsNothing) {
  ASSERT_NO_FATAL_FAILURE(Restart({"--history-days", "0"}));
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("BCST not kept");
  ASSERT_TRUE(NextLineIs(*alice, "OK BCST 0"));
  alice->SendLine("HISTORY *");
  EXPECT_TRUE(NextLineIs(*alice, "OK HISTORY 0"));
}

}  // namespace
}  // namespace chat::test

namespace chat::test {
namespace {

TEST_F(HistoryTest, RoomMessagesAreKeptForMembers) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(alice, nullptr);
  ASSERT_NE(bob, nullptr);
  ASSERT_TRUE(alice->SkipUntil("JOINED Bob"));
  // Pipelined: the HISTORY waits for the JOIN's answer before it.
  alice->SendLine("JOIN #lunch");
  alice->SendLine("HISTORY #lunch");
  EXPECT_TRUE(NextLinesAre(*alice, {"OK JOIN #lunch", "OK HISTORY 0"}));
  alice->SendLine("MESG #lunch noon?");
  EXPECT_TRUE(NextLineIs(*alice, "OK MESG #lunch 0"));
  alice->SendLine("HISTORY #LUNCH");
  HistoryId(alice->ReadLine(), "Alice", "#lunch", "noon?");
  EXPECT_TRUE(NextLineIs(*alice, "OK HISTORY 1"));
  bob->SendLine("HISTORY #lunch");
  EXPECT_TRUE(NextLineIs(*bob, "ERR Not In Room: #lunch"));
  bob->SendLine("HISTORY #bad.room");
  auto line = bob->ReadLine();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->rfind("ERR Invalid Room", 0), 0u) << *line;
}

}  // namespace
}  // namespace chat::test
