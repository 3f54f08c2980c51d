// Relaying between connections: JOINED/LEFT/MESG/BCST reach exactly the
// users they should, in order, complete, and a client that stops reading
// is dropped without costing anyone else a line.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/two_users.h"

namespace chat::test {
namespace {

class RelayTest : public ServerTest {
 protected:
  struct ThreeUsers {
    std::unique_ptr<Connection> alice, bob, carol;
  };
  // Alice, Bob and Carol join in that order; the JOINED lines Alice and Bob
  // get are read first.
  void JoinThreeUsers(ThreeUsers* users) {
    users->alice = ConnectAndJoin(port(), "Alice");
    users->bob = ConnectAndJoin(port(), "Bob");
    users->carol = ConnectAndJoin(port(), "Carol");
    ASSERT_TRUE(users->alice && users->bob && users->carol);
    EXPECT_TRUE(NextLinesAre(*users->alice, {"JOINED Bob", "JOINED Carol"}));
    EXPECT_TRUE(NextLinesAre(*users->bob, {"JOINED Carol"}));
  }
};

// Five users join one after another, then BCST, MESG, LIST and QUIT, with
// every line each of them receives checked, and nothing more.
TEST_F(RelayTest, FiveUserWalkThrough) {
  const std::vector<std::string> names = {"Alice", "Bob", "Carol", "Dave",
                                          "Eve"};
  std::vector<std::unique_ptr<Connection>> users;
  for (const auto& name : names) {
    users.push_back(ConnectAndJoin(port(), name));
    ASSERT_NE(users.back(), nullptr);
  }
  // Each user heard of exactly those who joined after it.
  for (size_t i = 0; i < names.size(); ++i) {
    std::vector<std::string> expected;
    for (size_t j = i + 1; j < names.size(); ++j) {
      expected.push_back("JOINED " + names[j]);
    }
    EXPECT_TRUE(NextLinesAre(*users[i], expected)) << names[i];
    EXPECT_TRUE(NothingPending(*users[i])) << names[i];
  }

  users[0]->SendLine("BCST Hello, everyone");
  EXPECT_TRUE(NextLineIs(*users[0], "OK BCST 4"));
  for (size_t i = 1; i < users.size(); ++i) {
    EXPECT_TRUE(NextLineIs(*users[i], "BCST Alice Hello, everyone"))
        << names[i];
  }

  users[2]->SendLine("MESG eve Psst, Eve");
  EXPECT_TRUE(NextLineIs(*users[2], "OK MESG Eve"));
  EXPECT_TRUE(NextLineIs(*users[4], "MESG Carol Psst, Eve"));

  users[3]->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*users[3], "LIST Alice,Bob,Carol,Dave,Eve"));

  users[1]->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*users[1], {"OK QUIT"}));
  for (size_t i : {0, 2, 3, 4}) {
    EXPECT_TRUE(NextLineIs(*users[i], "LEFT Bob")) << names[i];
    EXPECT_TRUE(NothingPending(*users[i])) << names[i];
  }
  users[4]->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*users[4], "LIST Alice,Carol,Dave,Eve"));
}

TEST_F(RelayTest, UnregisteredConnectionsGetNoPushes) {
  auto lurker = ConnectAndGreet(port());
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_TRUE(lurker && alice);
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  alice->SendLine("BCST hi all");
  EXPECT_TRUE(NextLineIs(*alice, "OK BCST 1"));
  EXPECT_TRUE(NextLineIs(*bob, "BCST Alice hi all"));
  bob->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*bob, {"OK QUIT"}));
  EXPECT_TRUE(NextLineIs(*alice, "LEFT Bob"));
  EXPECT_TRUE(NothingPending(*lurker));
}

TEST_F(RelayTest, UserGetsNoPushAboutItself) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_TRUE(alice && bob);
  bob->SendLine("BCST mine");
  EXPECT_TRUE(NextLineIs(*bob, "OK BCST 1"));
  EXPECT_TRUE(NothingPending(*bob));  // no JOINED Bob, no BCST Bob
  EXPECT_TRUE(NextLinesAre(*alice, {"JOINED Bob", "BCST Bob mine"}));
}

TEST_F(RelayTest, ClosedConnectionIsAnnouncedAsLeftAndFreesTheName) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  bob->Close();
  EXPECT_TRUE(NextLineIs(*alice, "LEFT Bob"));
  auto new_bob = ConnectAndJoin(port(), "bob");
  ASSERT_NE(new_bob, nullptr);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED bob"));
  alice->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*alice, "LIST Alice,bob"));
}

TEST_F(RelayTest, MessageSentJustBeforeQuitIsStillDelivered) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_TRUE(alice && bob);
  bob->Send("MESG Alice last words\nBCST bye all\nQUIT\n");
  EXPECT_TRUE(ClosedAfter(*bob, {"OK MESG Alice", "OK BCST 1", "OK QUIT"}));
  EXPECT_TRUE(NextLinesAre(*alice, {"JOINED Bob", "MESG Bob last words",
                                    "BCST Bob bye all", "LEFT Bob"}));
}

TEST_F(RelayTest, TwoThousandMessagesArriveCompleteAndInOrder) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  constexpr int kCount = 2000;
  std::string burst;
  for (int i = 0; i < kCount; ++i) {
    burst += "MESG Bob message number " + std::to_string(i) + "\n";
  }
  ASSERT_TRUE(alice->Send(burst));
  for (int i = 0; i < kCount; ++i) {
    auto line = bob->ReadLine();
    std::string expected = "MESG Alice message number " + std::to_string(i);
    ASSERT_EQ(line.value_or("<nothing>"), expected) << "message " << i;
  }
  for (int i = 0; i < kCount; ++i) {
    auto line = alice->ReadLine();
    ASSERT_EQ(line.value_or("<nothing>"), "OK MESG Bob") << "answer " << i;
  }
  EXPECT_TRUE(NothingPending(*alice));
  EXPECT_TRUE(NothingPending(*bob));
}

TEST_F(RelayTest, BroadcastsFromTwoSendersKeepEachSendersOrder) {
  ThreeUsers users;
  ASSERT_NO_FATAL_FAILURE(JoinThreeUsers(&users));
  auto& [alice, bob, carol] = users;
  constexpr int kCount = 500;
  std::string from_alice, from_bob;
  for (int i = 0; i < kCount; ++i) {
    from_alice += "BCST a" + std::to_string(i) + "\n";
    from_bob += "BCST b" + std::to_string(i) + "\n";
  }
  ASSERT_TRUE(alice->Send(from_alice));
  ASSERT_TRUE(bob->Send(from_bob));
  std::map<std::string, int> next = {{"Alice", 0}, {"Bob", 0}};
  for (int i = 0; i < 2 * kCount; ++i) {
    auto line = carol->ReadLine();
    ASSERT_TRUE(line) << "after " << i << " broadcasts";
    std::string sender = line->substr(5, line->find(' ', 5) - 5);
    ASSERT_TRUE(next.count(sender)) << *line;
    std::string expected = "BCST " + sender + " " +
                           (sender == "Alice" ? "a" : "b") +
                           std::to_string(next[sender]++);
    ASSERT_EQ(*line, expected);
  }
  // Alice and Bob each got every answer and the other's broadcasts, in order.
  int alice_pushes = 0, alice_answers = 0;
  for (int i = 0; i < 2 * kCount; ++i) {
    auto line = alice->ReadLine();
    ASSERT_TRUE(line);
    if (*line == "OK BCST 2") {
      ++alice_answers;
    } else {
      ASSERT_EQ(*line, "BCST Bob b" + std::to_string(alice_pushes++));
    }
  }
  EXPECT_EQ(alice_answers, kCount);
  EXPECT_EQ(alice_pushes, kCount);
}

// Broadcasts travel as a pass to many and private messages to one, and the
// broker batches both per turn: a recipient still sees one sender's lines
// in the order sent.
TEST_F(RelayTest, BroadcastsAndMessagesFromOneSenderArriveInOrder) {
  ThreeUsers users;
  ASSERT_NO_FATAL_FAILURE(JoinThreeUsers(&users));
  auto& [alice, bob, carol] = users;
  constexpr int kCount = 300;
  std::vector<std::string> to_bob, to_carol;
  for (int i = 0; i < kCount; ++i) {
    std::string text = "line " + std::to_string(i);
    // Runs of broadcasts broken by private lines, so some private lines
    // find broadcasts held for Bob and must go after them.
    bool private_line = i % 7 == 3;
    std::string request = private_line ? "MESG Bob " + text : "BCST " + text;
    std::string push = (private_line ? "MESG Alice " : "BCST Alice ") + text;
    to_bob.push_back(push);
    if (!private_line) to_carol.push_back(push);
    // Each request in its own write, so they reach the server over time.
    ASSERT_TRUE(alice->SendLine(request));
  }
  EXPECT_TRUE(NextLinesAre(*bob, to_bob));
  EXPECT_TRUE(NextLinesAre(*carol, to_carol));
  EXPECT_TRUE(NothingPending(*bob));
  EXPECT_TRUE(NothingPending(*carol));
}

// A client that never reads (tiny receive buffer) is dropped once its
// undelivered output passes --send-queue; a reading client gets every line.
TEST_F(RelayTest, SlowReaderIsDroppedOthersLoseNothing) {
  server_.reset();
  StartServer({"--send-queue", "65536"});
  auto slow = Connection::Open(port());
  ASSERT_NE(slow, nullptr);
  slow->SetReceiveBuffer(4096);
  ASSERT_TRUE(NextLineIs(*slow, "HELLO chat-server 1.0; send JOIN <username>"));
  slow->SendLine("JOIN Slow");
  ASSERT_TRUE(NextLineIs(*slow, "OK JOIN Slow"));
  auto reader = ConnectAndJoin(port(), "Reader");
  auto writer = ConnectAndJoin(port(), "Writer");
  ASSERT_TRUE(reader && writer);
  EXPECT_TRUE(NextLineIs(*reader, "JOINED Writer"));

  const std::string filler(1000, 'f');
  std::vector<std::string> sent;
  bool dropped = false;
  bool reader_saw_left = false;
  // The slow reader's kernel buffers plus 64 KiB fill up within a few
  // hundred KiB; the bound only stops a broken server from looping forever.
  for (int i = 0; i < 5000 && !dropped; ++i) {
    std::string text = std::to_string(i) + " " + filler;
    ASSERT_TRUE(writer->SendLine("BCST " + text));
    sent.push_back("BCST Writer " + text);
    auto answer = writer->ReadLine();
    ASSERT_TRUE(answer) << "no answer to broadcast " << i;
    if (*answer == "LEFT Slow") {
      dropped = true;
      answer = writer->ReadLine();
      ASSERT_TRUE(answer);
    }
    ASSERT_TRUE(*answer == "OK BCST 2" || *answer == "OK BCST 1") << *answer;
    auto pushed = reader->ReadLine();
    if (pushed == "LEFT Slow") {
      reader_saw_left = true;
      pushed = reader->ReadLine();
    }
    ASSERT_EQ(pushed.value_or("<nothing>"), sent.back()) << "broadcast " << i;
  }
  ASSERT_TRUE(dropped) << "the slow reader was never dropped";
  if (!reader_saw_left) {
    EXPECT_TRUE(NextLineIs(*reader, "LEFT Slow"));
  }
  EXPECT_TRUE(NothingPending(*reader));
  EXPECT_TRUE(server_->WaitForLog("LEFT Slow (dropped as slow)"));

  // The slow client, reading at last (with a normal buffer, or TCP would
  // trickle the rest through zero-window probes), finds a prefix of what was
  // sent, perhaps the error line, and then the end.
  slow->SetReceiveBuffer(1 << 20);
  std::vector<std::string> lines;
  ASSERT_TRUE(slow->WaitClosed(&lines));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "JOINED Reader");
  EXPECT_EQ(lines[1], "JOINED Writer");
  lines.erase(lines.begin(), lines.begin() + 2);
  if (!lines.empty() && lines.back() == "ERR Send Queue Exceeded") {
    lines.pop_back();
  }
  ASSERT_LE(lines.size(), sent.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(lines[i], sent[i]) << "line " << i << " of the slow reader";
  }
}

}  // namespace
}  // namespace chat::test
