// The command line: defaults per scenario and refusals of bad input.
#include "bench/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chat::bench {
namespace {

ParseOutcome Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "chat-bench");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  return ParseOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(OptionsTest, EachScenarioGetsItsDefaults) {
  auto rtt = Parse({"rtt", "-p", "4000"});
  ASSERT_TRUE(rtt.options) << rtt.err;
  EXPECT_EQ(rtt.options->scenario, Scenario::kRtt);
  EXPECT_EQ(rtt.options->users, 0);
  EXPECT_EQ(rtt.options->messages, 5000);
  EXPECT_EQ(rtt.options->warmup, 100);
  EXPECT_EQ(rtt.options->host, "127.0.0.1");
  EXPECT_FALSE(rtt.options->irc);

  auto fanout = Parse({"fanout", "--port", "4000", "-w", "16", "--irc"});
  ASSERT_TRUE(fanout.options) << fanout.err;
  EXPECT_EQ(fanout.options->users, 100);
  EXPECT_EQ(fanout.options->window, 16);
  EXPECT_TRUE(fanout.options->irc);

  auto churn = Parse({"churn", "-p", "4000"});
  ASSERT_TRUE(churn.options) << churn.err;
  EXPECT_EQ(churn.options->connectors, 16);
  EXPECT_EQ(churn.options->duration, 10);

  auto hold = Parse({"hold", "-p", "4000", "-n", "10000", "--server-pid", "123",
                     "--json", "--label", "ours"});
  ASSERT_TRUE(hold.options) << hold.err;
  EXPECT_EQ(hold.options->users, 10000);
  EXPECT_EQ(hold.options->duration, 5);
  EXPECT_EQ(hold.options->server_pid, 123);
  EXPECT_TRUE(hold.options->json);
  EXPECT_EQ(hold.options->label, "ours");
}

// login: 50 accounts by default, never fewer than the connectors (each
// connector needs an account of its own), and only in the chat protocol.
TEST(OptionsTest, LoginHasAnAccountPerConnector) {
  auto login = Parse({"login", "-p", "4000"});
  ASSERT_TRUE(login.options) << login.err;
  EXPECT_EQ(login.options->scenario, Scenario::kLogin);
  EXPECT_EQ(login.options->users, 50);
  EXPECT_EQ(login.options->connectors, 8);
  EXPECT_EQ(login.options->duration, 10);
  EXPECT_EQ(std::string(ScenarioName(Scenario::kLogin)), "login");
  auto many = Parse({"login", "-p", "4000", "-c", "80"});
  ASSERT_TRUE(many.options) << many.err;
  EXPECT_EQ(many.options->users, 80);
  auto too_few = Parse({"login", "-p", "4000", "-c", "8", "-n", "4"});
  EXPECT_FALSE(too_few.options);
  EXPECT_EQ(too_few.exit_code, 2);
  EXPECT_NE(too_few.err.find("at least one account per connector"),
            std::string::npos)
      << too_few.err;
  auto irc = Parse({"login", "-p", "4000", "--irc"});
  EXPECT_FALSE(irc.options);
  EXPECT_EQ(irc.exit_code, 2);
  EXPECT_NE(irc.err.find("IRC has no accounts"), std::string::npos) << irc.err;
}

TEST(OptionsTest, ForkNeedsNoServer) {
  auto fork = Parse({"fork", "-m", "10"});
  ASSERT_TRUE(fork.options) << fork.err;
  EXPECT_EQ(fork.options->scenario, Scenario::kFork);
  EXPECT_EQ(fork.options->messages, 10);
  EXPECT_EQ(Parse({"fork"}).options->messages, 2000);
}

TEST(OptionsTest, SwitchNeedsNoServerAndDefaultsToAThousandProcesses) {
  auto ring = Parse({"switch", "-n", "100", "-m", "5000"});
  ASSERT_TRUE(ring.options) << ring.err;
  EXPECT_EQ(ring.options->scenario, Scenario::kSwitch);
  EXPECT_EQ(ring.options->users, 100);
  EXPECT_EQ(ring.options->messages, 5000);
  auto defaults = Parse({"switch"});
  ASSERT_TRUE(defaults.options) << defaults.err;
  EXPECT_EQ(defaults.options->users, 1000);
  EXPECT_EQ(defaults.options->messages, 100000);
  EXPECT_EQ(std::string(ScenarioName(Scenario::kSwitch)), "switch");
}

TEST(OptionsTest, SwitchRingOutsideTwoToTheLimitIsRefused) {
  for (const char* size : {"0", "1", "10001"}) {
    auto outcome = Parse({"switch", "-n", size});
    EXPECT_FALSE(outcome.options) << size;
    EXPECT_EQ(outcome.exit_code, 2) << size;
    EXPECT_NE(outcome.err.find("switch needs a ring of 2 to 10000"),
              std::string::npos)
        << "expected the reason, got: " << outcome.err;
  }
  EXPECT_TRUE(Parse({"switch", "-n", "2"}).options);
  EXPECT_TRUE(Parse({"switch", "-n", "10000"}).options);
}

TEST(OptionsTest, HostOutsideLoopbackIsRefused) {
  for (const char* host : {"10.0.0.1", "localhost", "::1", "128.0.0.1"}) {
    auto outcome = Parse({"rtt", "-p", "4000", "--host", host});
    EXPECT_FALSE(outcome.options) << host;
    EXPECT_EQ(outcome.exit_code, 2) << host;
    EXPECT_NE(outcome.err.find("127.0.0.0/8"), std::string::npos)
        << "expected the reason, got: " << outcome.err;
  }
  auto other_loopback = Parse({"rtt", "-p", "4000", "--host", "127.1.2.3"});
  EXPECT_TRUE(other_loopback.options) << other_loopback.err;
}

TEST(OptionsTest, BadCommandLinesExitTwoWithAMessage) {
  const std::vector<std::vector<std::string>> bad = {
      {"rtt"},                              // no port
      {"-p", "4000"},                       // no scenario
      {"ping", "-p", "4000"},               // unknown scenario
      {"rtt", "-p", "0"},                   // not a server port
      {"fanout", "-p", "4000", "-n", "0"},  // nobody to receive
      {"fanout", "-p", "4000", "-w", "0"},  // no window
      {"rtt", "-p", "4000", "--irc", "--channel", "bench"},
      {"rtt", "-p", "4000", "--bogus"},
  };
  for (const auto& args : bad) {
    auto outcome = Parse(args);
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    EXPECT_FALSE(outcome.options) << joined;
    EXPECT_EQ(outcome.exit_code, 2) << joined;
    EXPECT_FALSE(outcome.err.empty()) << "no message for: " << joined;
  }
}

TEST(OptionsTest, FileDefaultsToOneTransferOf64Mib) {
  auto file = Parse({"file", "-p", "4000"});
  ASSERT_TRUE(file.options);
  EXPECT_EQ(file.options->scenario, Scenario::kFile);
  EXPECT_EQ(file.options->users, 1);
  EXPECT_EQ(file.options->messages, 64);
}

TEST(OptionsTest, HelpExitsZeroAndNamesTheScenarios) {
  auto outcome = Parse({"--help"});
  EXPECT_FALSE(outcome.options);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_NE(outcome.out.find("rtt, fanout, churn, hold, login or file"),
            std::string::npos)
      << outcome.out;
}

}  // namespace
}  // namespace chat::bench
