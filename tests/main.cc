// The main() of every test binary: Google Test's, plus a line
// "<binary>: skipped <Suite.Test>: <reason>" for each skipped test and a
// closing line "<binary>: N passed, N failed, N skipped" that
// mk/run-tests.sh adds up.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

// The message GTEST_SKIP() was given, on one line.
std::string SkipReason(const testing::TestResult& result) {
  for (int i = 0; i < result.total_part_count(); ++i) {
    const testing::TestPartResult& part = result.GetTestPartResult(i);
    if (part.type() != testing::TestPartResult::kSkip) continue;
    std::string reason = part.message();
    for (char& c : reason) {
      if (c == '\n') c = ' ';
    }
    return reason.empty() ? "no reason given" : reason;
  }
  return "no reason given";
}

}  // namespace

int main(int argc, char** argv) {
  // Tests write to sockets whose peers they kill on purpose.
  signal(SIGPIPE, SIG_IGN);
  testing::InitGoogleTest(&argc, argv);
  int status = RUN_ALL_TESTS();
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  const char* name = strrchr(argv[0], '/');
  name = name ? name + 1 : argv[0];
  for (int s = 0; s < unit.total_test_suite_count(); ++s) {
    const testing::TestSuite& suite = *unit.GetTestSuite(s);
    for (int t = 0; t < suite.total_test_count(); ++t) {
      const testing::TestInfo& test = *suite.GetTestInfo(t);
      if (!test.should_run() || !test.result()->Skipped()) continue;
      std::printf("%s: skipped %s.%s: %s\n", name, suite.name(), test.name(),
                  SkipReason(*test.result()).c_str());
    }
  }
  std::printf("%s: %d passed, %d failed, %d skipped\n", name,
              unit.successful_test_count(), unit.failed_test_count(),
              unit.skipped_test_count());
  return status;
}
