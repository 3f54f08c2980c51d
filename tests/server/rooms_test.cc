// Rooms against a real server: every request, answer, push and error phrase
// of PROTOCOL.md's "Rooms", the limits, leaving the server, the status log,
// and ordered delivery in a room of 200 while members come and go.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/two_users.h"

namespace chat::test {
namespace {

using RoomsTest = TwoUsersTest;

TEST_F(RoomsTest, JoinCreatesTheRoomSpelledAsItsCreatorDid) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  alice_->SendLine("JOIN #Lunch");
  EXPECT_TRUE(NextLineIs(*alice_, "OK JOIN #Lunch"));
  bob_->SendLine("JOIN #LUNCH");
  EXPECT_TRUE(NextLineIs(*bob_, "OK JOIN #Lunch"));
  EXPECT_TRUE(NextLineIs(*alice_, "JOINED #Lunch Bob"));
  bob_->SendLine("ROOMS");
  EXPECT_TRUE(NextLineIs(*bob_, "ROOMS #Lunch:2"));
  EXPECT_TRUE(NothingPending(*alice_));
  EXPECT_TRUE(server_->WaitForLog("JOIN #Lunch by Alice (created the room)"));
  EXPECT_TRUE(server_->WaitForLog("JOIN #Lunch by Bob, 2 members"));
}

TEST_F(RoomsTest, RoomMessageReachesEveryOtherMemberOnly) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  auto carol = ConnectAndJoin(port(), "Carol");
  ASSERT_NE(carol, nullptr);
  ASSERT_TRUE(NextLineIs(*alice_, "JOINED Carol"));
  ASSERT_TRUE(NextLineIs(*bob_, "JOINED Carol"));
  alice_->SendLine("JOIN #lunch");
  ASSERT_TRUE(NextLineIs(*alice_, "OK JOIN #lunch"));
  bob_->SendLine("JOIN #lunch");
  ASSERT_TRUE(NextLineIs(*bob_, "OK JOIN #lunch"));
  ASSERT_TRUE(NextLineIs(*alice_, "JOINED #lunch Bob"));

  alice_->SendLine("MESG #LUNCH pizza?  with  spaces ");
  EXPECT_TRUE(NextLineIs(*alice_, "OK MESG #lunch 1"));
  EXPECT_TRUE(NextLineIs(*bob_, "MESG #lunch Alice pizza?  with  spaces "));
  EXPECT_TRUE(NothingPending(*alice_));
  EXPECT_TRUE(NothingPending(*carol));  // not a member
  EXPECT_TRUE(server_->WaitForLog("request MESG #LUNCH by Alice"));
}

TEST_F(RoomsTest, MessageToARoomAloneReachesNobody) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  alice->Send("JOIN #solo\nMESG #solo anyone?\n");
  EXPECT_TRUE(NextLinesAre(*alice, {"OK JOIN #solo", "OK MESG #solo 0"}));
  EXPECT_TRUE(NothingPending(*alice));
}

TEST_F(RoomsTest, ListOfARoomIsInOrderOfEnteringForAnyone) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  auto carol = ConnectAndJoin(port(), "Carol");
  ASSERT_NE(carol, nullptr);
  ASSERT_TRUE(NextLineIs(*alice_, "JOINED Carol"));
  ASSERT_TRUE(NextLineIs(*bob_, "JOINED Carol"));
  carol->SendLine("JOIN #r");
  ASSERT_TRUE(NextLineIs(*carol, "OK JOIN #r"));
  alice_->SendLine("JOIN #r");
  ASSERT_TRUE(NextLineIs(*alice_, "OK JOIN #r"));
  ASSERT_TRUE(NextLineIs(*carol, "JOINED #r Alice"));
  bob_->SendLine("LIST #R");  // not a member
  EXPECT_TRUE(NextLineIs(*bob_, "LIST #r Carol,Alice"));
  bob_->SendLine("LIST");  // the server's list is unchanged
  EXPECT_TRUE(NextLineIs(*bob_, "LIST Alice,Bob,Carol"));
}

TEST_F(RoomsTest, PartTellsTheOthersAndTheLastOneEndsTheRoom) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  alice_->SendLine("JOIN #r");
  ASSERT_TRUE(NextLineIs(*alice_, "OK JOIN #r"));
  bob_->SendLine("JOIN #r");
  ASSERT_TRUE(NextLineIs(*bob_, "OK JOIN #r"));
  ASSERT_TRUE(NextLineIs(*alice_, "JOINED #r Bob"));

  bob_->SendLine("PART #R");
  EXPECT_TRUE(NextLineIs(*bob_, "OK PART #r"));
  EXPECT_TRUE(NextLineIs(*alice_, "LEFT #r Bob"));
  bob_->Send("PART #r\nMESG #r hi\nLIST #r\n");
  EXPECT_TRUE(NextLinesAre(
      *bob_, {"ERR Not In Room: #r", "ERR Not In Room: #r", "LIST #r Alice"}));
  alice_->SendLine("PART #r");
  EXPECT_TRUE(NextLineIs(*alice_, "OK PART #r"));
  EXPECT_TRUE(NothingPending(*bob_));
  alice_->Send("ROOMS\nLIST #r\nPART #r\nMESG #r hi\n");
  EXPECT_TRUE(
      NextLinesAre(*alice_, {"ROOMS", "ERR Unknown Room: #r",
                             "ERR Unknown Room: #r", "ERR Unknown Room: #r"}));
  EXPECT_TRUE(server_->WaitForLog("room #r ended"));
}

TEST_F(RoomsTest, RoomsListsEveryRoomInOrderOfCreationWithItsCount) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  alice_->SendLine("ROOMS");
  EXPECT_TRUE(NextLineIs(*alice_, "ROOMS"));
  alice_->Send("JOIN #zeta\nJOIN #alpha\nJOIN #mid\n");
  EXPECT_TRUE(NextLinesAre(
      *alice_, {"OK JOIN #zeta", "OK JOIN #alpha", "OK JOIN #mid"}));
  bob_->Send("JOIN #alpha\nROOMS\n");
  EXPECT_TRUE(
      NextLinesAre(*bob_, {"OK JOIN #alpha", "ROOMS #zeta:1,#alpha:2,#mid:1"}));
}

TEST_F(RoomsTest, EveryErrorPhraseWithItsDetail) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  alice_->SendLine("JOIN #r");
  ASSERT_TRUE(NextLineIs(*alice_, "OK JOIN #r"));
  const std::string long_room = "#" + std::string(33, 'x');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"JOIN #", "ERR Invalid Room: #"},
      {"JOIN #a.b", "ERR Invalid Room: #a.b"},
      {"JOIN " + long_room, "ERR Invalid Room: " + long_room},
      {"PART #!", "ERR Invalid Room: #!"},
      {"MESG #a b hi", "OK MESG"},  // placeholder, replaced below
      {"LIST #a b", "ERR Invalid Room: #a b"},
      {"JOIN #r", "ERR Already In Room: #r"},
      {"JOIN #R", "ERR Already In Room: #r"},
      {"PART #nowhere", "ERR Unknown Room: #nowhere"},
      {"MESG #nowhere hi", "ERR Unknown Room: #nowhere"},
      {"LIST #nowhere", "ERR Unknown Room: #nowhere"},
      {"PART", "ERR Bad Syntax: PART <room>"},
      {"PART ", "ERR Bad Syntax: PART <room>"},
      {"PART Bob", "ERR Bad Syntax: PART <room>"},
      {"ROOMS all", "ERR Bad Syntax: ROOMS"},
      {"MESG #r", "ERR Bad Syntax: MESG <username> <text>"},
      {"MESG #r ", "ERR Bad Syntax: MESG <username> <text>"},
  };
  for (const auto& [request, answer] : cases) {
    if (answer == "OK MESG") continue;
    alice_->SendLine(request);
    EXPECT_TRUE(NextLineIs(*alice_, answer)) << "for " << request;
  }
  // A '#' name that breaks the rule is Invalid Room wherever it stands.
  alice_->SendLine("MESG #a! hi");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR Invalid Room: #a!"));
  EXPECT_TRUE(NothingPending(*bob_));
}

TEST_F(RoomsTest, RoomsNeedARegisteredConnection) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("JOIN #r\nPART #r\nMESG #r hi\nLIST #r\nROOMS\n");
  EXPECT_TRUE(NextLinesAre(
      *client, {kJoinFirst, kJoinFirst, kJoinFirst, kJoinFirst, kJoinFirst}));
  // Checked first: even a malformed room's request would need JOIN.
  client->SendLine("JOIN Alice");
  EXPECT_TRUE(NextLineIs(*client, "OK JOIN Alice"));
}

TEST_F(RoomsTest, AUserIsInAtMostTwentyRooms) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  std::string requests;
  std::vector<std::string> answers;
  for (int i = 0; i < 20; ++i) {
    requests += "JOIN #r" + std::to_string(i) + "\n";
    answers.push_back("OK JOIN #r" + std::to_string(i));
  }
  alice->Send(requests);
  EXPECT_TRUE(NextLinesAre(*alice, answers));
  alice->SendLine("JOIN #one-more");
  EXPECT_TRUE(
      NextLineIs(*alice, "ERR Too Many Rooms: at most 20 rooms per user"));
  alice->Send("PART #r3\nJOIN #one-more\n");
  EXPECT_TRUE(NextLinesAre(*alice, {"OK PART #r3", "OK JOIN #one-more"}));
}

TEST_F(RoomsTest, TheServerHoldsAtMostMaxRooms) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--max-rooms", "2"}));
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  alice_->Send("JOIN #a\nJOIN #b\nJOIN #c\n");
  EXPECT_TRUE(NextLinesAre(
      *alice_, {"OK JOIN #a", "OK JOIN #b",
                "ERR Too Many Rooms: the server holds at most 2 rooms"}));
  // Entering an existing room is no new room.
  bob_->SendLine("JOIN #b");
  EXPECT_TRUE(NextLineIs(*bob_, "OK JOIN #b"));
  alice_->Send("PART #a\nJOIN #c\n");
  EXPECT_TRUE(alice_->SkipUntil("OK PART #a"));
  EXPECT_TRUE(NextLineIs(*alice_, "OK JOIN #c"));
}

// Leaving the server leaves every room; the others hear one LEFT <username>
// and no LEFT <room> <username>.
TEST_F(RoomsTest, LeavingTheServerLeavesEveryRoomWithOneLeft) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  alice_->Send("JOIN #a\nJOIN #b\n");
  ASSERT_TRUE(NextLinesAre(*alice_, {"OK JOIN #a", "OK JOIN #b"}));
  bob_->Send("JOIN #a\nJOIN #b\nJOIN #bobs\n");
  ASSERT_TRUE(
      NextLinesAre(*bob_, {"OK JOIN #a", "OK JOIN #b", "OK JOIN #bobs"}));
  ASSERT_TRUE(NextLinesAre(*alice_, {"JOINED #a Bob", "JOINED #b Bob"}));

  bob_->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*bob_, {"OK QUIT"}));
  EXPECT_TRUE(NextLineIs(*alice_, "LEFT Bob"));
  EXPECT_TRUE(NothingPending(*alice_));
  alice_->Send("LIST #a\nLIST #b\nROOMS\n");
  EXPECT_TRUE(NextLinesAre(
      *alice_, {"LIST #a Alice", "LIST #b Alice", "ROOMS #a:1,#b:1"}));
  EXPECT_TRUE(server_->WaitForLog("left rooms #a,#b,#bobs with the server"));
}

// Room answers keep their place among the connection's other answers.
TEST_F(RoomsTest, AnswersStayInRequestOrderAmongBroadcasts) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  alice_->Send("BCST one\nJOIN #r\nBCST two\nLIST #r\nMESG bob x\nPING p\n");
  EXPECT_TRUE(
      NextLinesAre(*alice_, {"OK BCST 1", "OK JOIN #r", "OK BCST 1",
                             "LIST #r Alice", "OK MESG Bob", "PONG p"}));
  EXPECT_TRUE(NextLinesAre(
      *bob_, {"BCST Alice one", "BCST Alice two", "MESG Alice x"}));
}

TEST_F(RoomsTest, AQuitAfterRoomRequestsComesLast) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  alice->Send("JOIN #r\nROOMS\nQUIT\n");
  EXPECT_TRUE(ClosedAfter(*alice, {"OK JOIN #r", "ROOMS #r:1", "OK QUIT"}));
}

// 200 members; one of them sends 100 numbered messages while 20 other
// users keep entering and leaving the room. Every member that stays
// receives all 100, in order; each visitor receives an in-order run.
TEST(RoomsScaleTest, TwoHundredMembersGetOrderedMessagesWhileOthersComeAndGo) {
  constexpr int kMembers = 200;
  constexpr int kVisitors = 20;
  constexpr int kMessages = 100;
  auto server = ServerProcess::Start(
      {"--max-users", "300", "--max-connections", "300", "-q"});
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<Connection>> members;
  for (int i = 0; i < kMembers; ++i) {
    auto member = ConnectAndJoin(server->port(), "M" + std::to_string(i));
    ASSERT_NE(member, nullptr);
    member->SendLine("JOIN #big");
    members.push_back(std::move(member));
  }
  for (int i = 0; i < kMembers; ++i) {
    ASSERT_TRUE(members[i]->SkipUntil("OK JOIN #big")) << "member " << i;
  }
  std::vector<std::unique_ptr<Connection>> visitors;
  for (int i = 0; i < kVisitors; ++i) {
    visitors.push_back(ConnectAndJoin(server->port(), "V" + std::to_string(i)));
    ASSERT_NE(visitors.back(), nullptr);
  }

  std::string burst;
  for (int n = 0; n < kMessages; ++n) {
    burst += "MESG #big n" + std::to_string(n) + "\n";
  }
  members[0]->Send(burst);
  // Meanwhile: each visitor enters and leaves twice.
  for (int round = 0; round < 2; ++round) {
    for (auto& visitor : visitors) visitor->Send("JOIN #big\nPART #big\n");
  }

  // The sender's answers: counts between 199 and 199 + kVisitors.
  for (int n = 0; n < kMessages; ++n) {
    auto line = members[0]->ReadLine();
    ASSERT_TRUE(line.has_value()) << "answer " << n;
    if (line->rfind("OK MESG #big ", 0) != 0) {
      --n;  // a push (JOINED, LEFT) between the answers
      continue;
    }
    int count = std::stoi(line->substr(13));
    EXPECT_GE(count, kMembers - 1);
    EXPECT_LE(count, kMembers - 1 + kVisitors);
  }
  // Every member that stayed gets n0..n99 in order; a visitor, in and out
  // twice, gets increasing numbers (with gaps while it was out).
  const std::string prefix = "MESG #big M0 n";
  for (int i = 1; i < kMembers; ++i) {
    int next = 0;
    for (int guard = 0; guard < 10 * kMessages && next < kMessages; ++guard) {
      auto line = members[i]->ReadLine();
      ASSERT_TRUE(line.has_value()) << "member " << i << " stopped at " << next;
      if (line->rfind(prefix, 0) != 0) continue;
      ASSERT_EQ(*line, prefix + std::to_string(next)) << "member " << i;
      ++next;
    }
    EXPECT_EQ(next, kMessages) << "member " << i;
  }
  for (int i = 0; i < kVisitors; ++i) {
    int last = -1;
    int parts = 0;
    for (int guard = 0; guard < 10 * kMessages && parts < 2; ++guard) {
      auto line = visitors[i]->ReadLine();
      ASSERT_TRUE(line.has_value()) << "visitor " << i;
      if (line->rfind("OK PART #big", 0) == 0) ++parts;
      if (line->rfind(prefix, 0) != 0) continue;
      int n = std::stoi(line->substr(prefix.size()));
      EXPECT_GT(n, last) << "visitor " << i << " out of order";
      last = n;
    }
    EXPECT_EQ(parts, 2) << "visitor " << i;
  }
  // The room is exactly the members, in order of entering.
  std::string expected = "LIST #big ";
  for (int i = 0; i < kMembers; ++i) {
    expected += (i ? ",M" : "M") + std::to_string(i);
  }
  members[1]->SendLine("LIST #big");
  EXPECT_TRUE(members[1]->SkipUntil(expected));
}

}  // namespace
}  // namespace chat::test
