// switch: real rings of processes pass the token round and every hop is
// counted, a token that does not come back in time is reported rather than
// waited for, and no child outlives the run, alive or as a zombie.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "bench/dialect.h"
#include "bench/flat_json.h"
#include "bench/options.h"
#include "bench/progress.h"
#include "bench/scenario.h"
#include "support/subprocess.h"

namespace chat::bench {
namespace {

constexpr std::chrono::milliseconds kRunTimeout{20000};

// This process's children, zombies included, in order.
std::vector<pid_t> OwnChildren() {
  auto children = test::ChildrenOf(getpid());
  std::sort(children.begin(), children.end());
  return children;
}

std::string Joined(const std::vector<pid_t>& pids) {
  std::string text;
  for (pid_t pid : pids) text += std::to_string(pid) + " ";
  return text.empty() ? "none" : text;
}

// Runs the scenario in this process, so that its children are ours to see.
Report RunHere(std::vector<std::string> args) {
  args.insert(args.begin(), {"chat-bench", "switch", "-q"});
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  ParseOutcome outcome =
      ParseOptions(static_cast<int>(argv.size()), argv.data());
  EXPECT_TRUE(outcome.options) << outcome.err;
  if (!outcome.options) return Report{};
  auto dialect = MakeChatDialect();
  Progress progress(false);
  RunContext context{*outcome.options, *dialect, sockaddr_in{}, &progress};
  return RunSwitch(context);
}

double Number(const Report& report, const std::string& key) {
  for (const auto* fields : {&report.params, &report.figures}) {
    for (const auto& field : *fields) {
      if (field.key != key) continue;
      if (auto* integer = std::get_if<int64_t>(&field.value)) {
        return static_cast<double>(*integer);
      }
      if (auto* real = std::get_if<double>(&field.value)) return *real;
    }
  }
  ADD_FAILURE() << "no figure " << key << " in: " << FormatJson(report);
  return -1;
}

TEST(SwitchTest, TokenMakesEveryHopInBothRingsAndEveryChildIsReaped) {
  auto before = OwnChildren();
  Report report = RunHere({"-n", "16", "-m", "3200"});
  std::string json = FormatJson(report);
  EXPECT_TRUE(report.ok()) << json;
  EXPECT_EQ(report.scenario, "switch");
  EXPECT_EQ(Number(report, "processes"), 16) << json;
  EXPECT_EQ(Number(report, "laps"), 200) << json;
  EXPECT_EQ(Number(report, "hops"), 3200) << json;
  EXPECT_EQ(Number(report, "hops_2"), 3200) << json;
  EXPECT_GT(Number(report, "hop_us"), 0) << json;
  EXPECT_GT(Number(report, "hop_us_2"), 0) << json;
  EXPECT_GT(Number(report, "hops_per_s"), 0) << json;
  EXPECT_EQ(report.expected, 6400) << json;
  EXPECT_EQ(report.received, 6400) << json;
  EXPECT_EQ(report.lost, 0) << json;
  auto after = OwnChildren();
  EXPECT_EQ(after, before) << "children before the run: " << Joined(before)
                           << "; after: " << Joined(after);
}

TEST(SwitchTest, HopsAreRoundedToWholeLapsAndAtLeastOne) {
  Report seven = RunHere({"-n", "7", "-m", "100"});
  EXPECT_TRUE(seven.ok()) << FormatJson(seven);
  EXPECT_EQ(Number(seven, "laps"), 14) << FormatJson(seven);
  EXPECT_EQ(Number(seven, "hops"), 98) << FormatJson(seven);
  EXPECT_EQ(Number(seven, "hops_2"), 100) << FormatJson(seven);

  Report one_lap = RunHere({"-n", "10", "-m", "1"});
  EXPECT_TRUE(one_lap.ok()) << FormatJson(one_lap);
  EXPECT_EQ(Number(one_lap, "laps"), 1) << FormatJson(one_lap);
  EXPECT_EQ(Number(one_lap, "hops"), 10) << FormatJson(one_lap);
}

TEST(SwitchTest, TokenNotBackWithinTimeoutIsReportedNotWaitedFor) {
  auto before = OwnChildren();
  auto start = std::chrono::steady_clock::now();
  // Far more hops than 0.2 s holds: both rings run out of time.
  Report report = RunHere({"-n", "8", "-m", "100000000", "-t", "0.2"});
  auto took = std::chrono::steady_clock::now() - start;
  std::string json = FormatJson(report);
  EXPECT_LT(took, std::chrono::seconds(3))
      << "expected the run to end soon after --timeout";
  EXPECT_FALSE(report.ok()) << json;
  EXPECT_FALSE(report.completed) << json;
  EXPECT_GT(report.lost, 0) << json;
  EXPECT_EQ(report.lost, report.expected - report.received) << json;
  ASSERT_EQ(report.problems.size(), 2u) << json;
  EXPECT_NE(report.problems[0].find("ring of 8"), std::string::npos) << json;
  EXPECT_NE(report.problems[0].find("--timeout"), std::string::npos) << json;
  EXPECT_NE(report.problems[1].find("ring of 2"), std::string::npos) << json;
  // What was measured before the deadline still counts.
  EXPECT_GT(Number(report, "hop_us"), 0) << json;
  auto after = OwnChildren();
  EXPECT_EQ(after, before) << "children before the run: " << Joined(before)
                           << "; after: " << Joined(after);
}

// Makes this process the reaper of its descendants' orphans for a scope, so
// that children chat-bench left behind would become ours and be seen; reaps
// any such leftovers when the scope ends.
class ScopedSubreaper {
 public:
  ScopedSubreaper() : before_(OwnChildren()) {
    prctl(PR_GET_CHILD_SUBREAPER, &was_);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  ~ScopedSubreaper() {
    for (pid_t pid : OwnChildren()) {
      if (std::binary_search(before_.begin(), before_.end(), pid)) continue;
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    prctl(PR_SET_CHILD_SUBREAPER, was_);
  }
  const std::vector<pid_t>& before() const { return before_; }

 private:
  std::vector<pid_t> before_;
  int was_ = 0;
};

TEST(SwitchTest, ChatBenchPrintsOneJsonLineAndLeavesNoProcessBehind) {
  ScopedSubreaper subreaper;
  auto bench = test::Subprocess::Start(
      test::ProgramPath("chat-bench"),
      {"switch", "-n", "12", "-m", "1200", "--json", "--no-progress"});
  auto line = bench->out().ReadLine(kRunTimeout);
  auto status = bench->Wait(kRunTimeout);
  ASSERT_TRUE(line) << "chat-bench printed no line";
  ASSERT_TRUE(status) << "chat-bench did not exit";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "expected exit 0, wait status " << *status << "; " << *line;
  bench.reset();  // reaped
  auto fields = test::ParseFlatJson(*line);
  ASSERT_TRUE(fields) << "not a JSON object: " << *line;
  auto number = [&](const std::string& key) {
    auto found = fields->find(key);
    EXPECT_NE(found, fields->end()) << "no field " << key << " in " << *line;
    return found == fields->end() ? -1 : std::atof(found->second.c_str());
  };
  EXPECT_EQ((*fields)["scenario"], "switch") << *line;
  EXPECT_EQ((*fields)["ok"], "true") << *line;
  EXPECT_EQ(number("processes"), 12) << *line;
  EXPECT_GT(number("hop_us"), 0) << *line;
  EXPECT_GT(number("hop_us_2"), 0) << *line;
  EXPECT_EQ(number("lost"), 0) << *line;
  EXPECT_EQ(number("received"), number("expected")) << *line;
  // Children chat-bench had not reaped would now be ours, as zombies at
  // least (they die with it).
  auto after = OwnChildren();
  EXPECT_EQ(after, subreaper.before())
      << "processes left behind by chat-bench: " << Joined(after);
}

TEST(SwitchTest, RingOfOneProcessIsRefusedWithAReason) {
  auto bench = test::Subprocess::Start(test::ProgramPath("chat-bench"),
                                       {"switch", "-n", "1"});
  auto reason = bench->WaitForStderr("2 to");
  auto status = bench->Wait(kRunTimeout);
  ASSERT_TRUE(status.has_value()) << "chat-bench did not exit";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2)
      << "expected exit 2, wait status " << *status;
  EXPECT_TRUE(reason) << "expected the reason (a ring of 2 to ... processes) "
                         "on stderr";
}

}  // namespace
}  // namespace chat::bench
