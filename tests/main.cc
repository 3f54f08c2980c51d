// The main() of every test binary: Google Test's, plus a closing line
// "<binary>: N passed, N failed" that mk/run-tests.sh adds up.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  // Tests write to sockets whose peers they kill on purpose.
  signal(SIGPIPE, SIG_IGN);
  testing::InitGoogleTest(&argc, argv);
  int status = RUN_ALL_TESTS();
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  const char* name = strrchr(argv[0], '/');
  name = name ? name + 1 : argv[0];
  std::printf("%s: %d passed, %d failed\n", name, unit.successful_test_count(),
              unit.failed_test_count());
  return status;
}
