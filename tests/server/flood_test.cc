// Flood control (--flood) on a real server: loopback clients are limited
// only with --limit-loopback, so every test here passes it. A flooder is
// read more slowly but loses nothing; a quiet pair keeps talking while it
// floods; a short paste goes through at once; --flood off lifts the limit.
// Every assertion is on what arrived and in which order, never on time:
// the rates are chosen so that the difference is a thousand-fold.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/options.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

std::string Lines(const std::string& prefix, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += prefix + std::to_string(i) + "\n";
  return text;
}

// A server with --flood `flood` (loopback limited) and three users: a
// flooder and a quiet pair, each having seen the others join.
struct Trio {
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Connection> flooder, alice, bob;

  explicit Trio(const std::string& flood) {
    server = ServerProcess::Start(
        {"--ephemeral", "--limit-loopback", "--flood", flood});
    if (server == nullptr) return;
    flooder = ConnectAndJoin(server->port(), "Flooder");
    alice = ConnectAndJoin(server->port(), "Alice");
    bob = ConnectAndJoin(server->port(), "Bob");
    if (!ready()) return;
    EXPECT_TRUE(flooder->SkipUntil("JOINED Bob"));
    EXPECT_TRUE(alice->SkipUntil("JOINED Bob"));
  }
  bool ready() const { return server && flooder && alice && bob; }
};

TEST(FloodTest, AFlooderIsSlowedNotDroppedAndLosesNothing) {
  Trio trio("5:40");
  ASSERT_TRUE(trio.ready());
  auto& [server, flooder, alice, bob] = trio;

  constexpr int kCount = 100;  // two and a half seconds at 40 a second
  ASSERT_TRUE(flooder->Send(Lines("BCST flood ", kCount)));
  // The quiet pair, while the flood is held back: Alice's message reaches
  // Bob before the flooder's last broadcast does.
  ASSERT_TRUE(alice->SkipUntil("BCST Flooder flood 0"));
  ASSERT_TRUE(alice->SendLine("MESG Bob quiet"));
  int broadcasts_before = 0;
  for (;;) {
    auto line = bob->ReadLine();
    ASSERT_TRUE(line) << "after " << broadcasts_before << " broadcasts";
    if (*line == "MESG Alice quiet") break;
    ASSERT_EQ(*line, "BCST Flooder flood " + std::to_string(broadcasts_before));
    ++broadcasts_before;
  }
  EXPECT_LT(broadcasts_before, kCount);
  // Nothing lost, nothing out of order, and the flooder is still there.
  for (int i = broadcasts_before; i < kCount; ++i) {
    ASSERT_TRUE(NextLineIs(*bob, "BCST Flooder flood " + std::to_string(i)));
  }
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(flooder->SkipUntil("OK BCST 2")) << i;
  }
  EXPECT_TRUE(NothingPending(*flooder));
  EXPECT_TRUE(alice->SkipUntil("OK MESG Bob"));
}

TEST(FloodTest, AQuietPairKeepsTalkingWhileSomeoneFloods) {
  Trio trio("5:0.5");
  ASSERT_TRUE(trio.ready());
  auto& [server, flooder, alice, bob] = trio;
  // Far more than the burst: the flooder is held for minutes.
  ASSERT_TRUE(flooder->Send(Lines("BCST flood ", 100)));
  ASSERT_TRUE(bob->SkipUntil("BCST Flooder flood 4"));
  // The pair's own requests are neither slowed nor lost: each sends less
  // than its own burst.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(alice->SendLine("MESG Bob ping " + std::to_string(i)));
    ASSERT_TRUE(alice->SkipUntil("OK MESG Bob"));
    // Bob may see a flooder's broadcast first, but nothing else.
    std::vector<std::string> skipped;
    ASSERT_TRUE(
        bob->SkipUntil("MESG Alice ping " + std::to_string(i), &skipped));
    for (const std::string& line : skipped) {
      EXPECT_TRUE(line.starts_with("BCST Flooder flood ")) << line;
    }
  }
}

TEST(FloodTest, APasteOfAFewLinesIsNotSlowed) {
  // The default burst, and a rate so slow that any line past the burst
  // would wait for minutes: a paste of fifteen lines is answered whole.
  auto server = ServerProcess::Start(
      {"--ephemeral", "--limit-loopback", "--flood", "20:0.01"});
  ASSERT_NE(server, nullptr);
  auto alice = ConnectAndJoin(server->port(), "Alice");
  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->SkipUntil("JOINED Bob"));
  ASSERT_TRUE(alice->Send(Lines("MESG Bob line ", 15)));
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(alice->SkipUntil("OK MESG Bob"));
    ASSERT_TRUE(NextLineIs(*bob, "MESG Alice line " + std::to_string(i)));
  }
}

TEST(FloodTest, PastTheBurstLinesWaitForTheRate) {
  auto server = ServerProcess::Start(
      {"--ephemeral", "--limit-loopback", "--flood", "3:0.01"});
  ASSERT_NE(server, nullptr);
  auto alice = ConnectAndJoin(server->port(), "Alice");  // JOIN: one line
  ASSERT_NE(alice, nullptr);
  ASSERT_TRUE(alice->Send(Lines("PING ", 4)));
  EXPECT_TRUE(NextLinesAre(*alice, {"PONG 0", "PONG 1"}));
  // The rest waits (for minutes at this rate), unread and unanswered.
  EXPECT_FALSE(alice->ReadLine(std::chrono::milliseconds(300)));
}

TEST(FloodTest, FloodOffAndLoopbackAreNotLimited) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--ephemeral", "--limit-loopback", "--flood",
                                 "off"},
        std::vector<std::string>{"--ephemeral", "--flood", "1:0.01"}}) {
    auto server = ServerProcess::Start(args);
    ASSERT_NE(server, nullptr);
    auto alice = ConnectAndJoin(server->port(), "Alice");
    ASSERT_NE(alice, nullptr);
    ASSERT_TRUE(alice->Send(Lines("PING ", 300)));
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(NextLineIs(*alice, "PONG " + std::to_string(i)))
          << args.back();
    }
  }
}

TEST(FloodTest, TheOptionTakesBurstAndRateOrOff) {
  auto parse = [](std::vector<const char*> args) {
    args.insert(args.begin(), {"server", "0"});
    return server::ParseCommandLine(static_cast<int>(args.size()), args.data());
  };
  auto fallback = parse({});
  ASSERT_TRUE(fallback.options);
  EXPECT_EQ(fallback.options->flood, server::kDefaultFlood);
  auto set = parse({"--flood", "50:2.5"});
  ASSERT_TRUE(set.options);
  EXPECT_EQ(set.options->flood, (server::FloodLimit{50, 2.5}));
  auto off = parse({"--flood", "off"});
  ASSERT_TRUE(off.options);
  EXPECT_FALSE(off.options->flood);
  for (const char* value : {"", "20", "0:5", "20:0", "20:x", "x:5", "20:5:1",
                            "100001:5", "-1:5", "20:-1", "on", "20:5 "}) {
    auto bad = parse({"--flood", value});
    EXPECT_FALSE(bad.options) << value;
    EXPECT_EQ(bad.exit_status, server::kExitUsage) << value;
    EXPECT_NE(bad.err.find("--flood: expected BURST:RATE"), std::string::npos)
        << bad.err;
  }
}

}  // namespace
}  // namespace chat::test
