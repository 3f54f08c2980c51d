// A member's worker SIGKILLed in the middle of entering a room: before its
// request reached the broker, and after the broker made it a member but
// before the client heard so. Either way the room stays consistent: the
// others see the one LEFT <username>, and LIST <room> is right.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "server/server_children.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/subprocess.h"
#include "support/tracer.h"

namespace chat::test {
namespace {

// The one worker in `after` that is not in `before`, or -1.
pid_t NewWorker(std::vector<pid_t> before, const std::vector<pid_t>& after) {
  std::vector<pid_t> added;
  std::sort(before.begin(), before.end());
  for (pid_t pid : after) {
    if (!std::binary_search(before.begin(), before.end(), pid)) {
      added.push_back(pid);
    }
  }
  return added.size() == 1 ? added[0] : -1;
}

class RoomJoinCrashTest : public testing::TestWithParam<const char*> {};

TEST_P(RoomJoinCrashTest, KilledMemberLeavesTheRoomConsistent) {
  const std::string stage = GetParam();
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);

  // Alice and Bob are in #r already; only the victim's worker is traced.
  auto alice = ConnectAndJoin(server->port(), "Alice");
  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  alice->SendLine("JOIN #r");
  ASSERT_TRUE(NextLineIs(*alice, "OK JOIN #r"));
  bob->SendLine("JOIN #r");
  ASSERT_TRUE(NextLineIs(*bob, "OK JOIN #r"));
  ASSERT_TRUE(NextLineIs(*alice, "JOINED #r Bob"));

  auto before = WorkersOf(server->pid());
  auto victim = ConnectAndJoin(server->port(), "Victim");
  ASSERT_NE(victim, nullptr);
  pid_t worker = NewWorker(before, WorkersOf(server->pid()));
  ASSERT_GT(worker, 0);
  ASSERT_TRUE(NextLineIs(*alice, "JOINED Victim"));
  ASSERT_TRUE(NextLineIs(*bob, "JOINED Victim"));
  std::string error;
  auto tracer = Tracer::Attach(worker, &error);
  if (!tracer) GTEST_SKIP() << "cannot trace the worker: " << error;
  ASSERT_TRUE(tracer->RunToTracePoint(stage, kEventTimeout,
                                      [&] { victim->SendLine("JOIN #r"); }))
      << "the worker did not stop at " << stage;
  ASSERT_TRUE(tracer->Kill(kEventTimeout));
  EXPECT_TRUE(ClosedAfter(*victim, {}));
  EXPECT_TRUE(server->WaitForLog("LEFT Victim (crashed with signal 9)"));

  // After "answered" the broker had made Victim a member and told the
  // room; after "queued" nothing reached it. Then one LEFT, nothing more.
  const bool member = stage == "room-join:answered";
  std::vector<std::string> expected;
  if (member) expected.push_back("JOINED #r Victim");
  expected.push_back("LEFT Victim");
  EXPECT_TRUE(NextLinesAre(*alice, expected));
  EXPECT_TRUE(NextLinesAre(*bob, expected));
  EXPECT_TRUE(NothingPending(*alice));
  EXPECT_TRUE(NothingPending(*bob));
  alice->Send("LIST #r\nROOMS\nMESG #r still here\n");
  EXPECT_TRUE(NextLinesAre(
      *alice, {"LIST #r Alice,Bob", "ROOMS #r:2", "OK MESG #r 1"}));
  EXPECT_TRUE(NextLineIs(*bob, "MESG #r Alice still here"));

  // The name and the room work again for a newcomer.
  auto again = ConnectAndJoin(server->port(), "Victim");
  ASSERT_NE(again, nullptr);
  again->SendLine("JOIN #r");
  EXPECT_TRUE(NextLineIs(*again, "OK JOIN #r"));
}

INSTANTIATE_TEST_SUITE_P(Stages, RoomJoinCrashTest,
                         testing::Values("room-join:queued",
                                         "room-join:answered"),
                         [](const testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param) == "room-join:queued"
                                      ? std::string("BeforeTheBrokerHeard")
                                      : std::string("AfterItMadeAMember");
                         });

}  // namespace
}  // namespace chat::test
