// Process-tree sampling: /proc parsing, and a real child found in the tree.
#include "bench/process_stats.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace chat::bench {
namespace {

TEST(ProcessStatsTest, StatFieldsAreReadAfterACommandNameWithParens) {
  // Fields 10-11 are minflt, cminflt, 14-17 utime, stime, cutime, cstime;
  // the name holds ") (".
  auto stat = ParseStat(
      "4242 (evil ) (name) S 17 4242 4242 0 -1 4194560 100 7 0 0 "
      "11 22 33 44 20 0 1 0 5000 1000000 200\n");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->ppid, 17);
  EXPECT_EQ(stat->minflt, 100);
  EXPECT_EQ(stat->cminflt, 7);
  EXPECT_EQ(stat->utime, 11);
  EXPECT_EQ(stat->stime, 22);
  EXPECT_EQ(stat->cutime, 33);
  EXPECT_EQ(stat->cstime, 44);
  EXPECT_FALSE(ParseStat("4242 (short) S 1 2"));
  EXPECT_FALSE(ParseStat("no parens at all"));
}

TEST(ProcessStatsTest, RollupFiguresAreReadByTheirExactKeyInKib) {
  const char* rollup =
      "55798264d000-7ffe52434000 ---p 00000000 00:00 0 [rollup]\n"
      "Rss:                1712 kB\n"
      "Pss:                 269 kB\n"
      "Pss_Dirty:           116 kB\n"
      "Pss_Anon:            110 kB\n";
  EXPECT_EQ(KibField(rollup, "Pss"), 269);
  EXPECT_EQ(KibField(rollup, "Pss_Anon"), 110);
  EXPECT_EQ(KibField(rollup, "Pss_Dirty"), 116);
  EXPECT_FALSE(KibField(rollup, "Pss_Shmem"));
  EXPECT_FALSE(KibField("Rss: 12 kB\n", "Pss"));
}

// A child that lives until its pipe closes; killed and reaped by the test.
class ChildProcess {
 public:
  ChildProcess() {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[1]);
      char byte;
      (void)!read(fds[0], &byte, 1);
      _exit(0);
    }
    close(fds[0]);
    write_end_ = fds[1];
  }
  ~ChildProcess() {
    close(write_end_);
    int status;
    waitpid(pid_, &status, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int write_end_ = -1;
};

TEST(ProcessStatsTest, TreeHoldsTheRootAndItsChildren) {
  ChildProcess child;
  auto tree = ProcessTree(getpid());
  ASSERT_FALSE(tree.empty());
  EXPECT_EQ(tree.front(), getpid());
  EXPECT_NE(std::find(tree.begin(), tree.end(), child.pid()), tree.end())
      << "child " << child.pid() << " should be in the tree of " << getpid();
}

TEST(ProcessStatsTest, SampleSumsPssAndCpuOverTheTree) {
  ChildProcess child;
  auto sample = SampleTree(getpid(), true);
  ASSERT_TRUE(sample);
  EXPECT_GE(sample->processes, 2);
  EXPECT_GT(sample->pss_kib, 0);
  EXPECT_EQ(sample->unreadable_pss, 0);
  EXPECT_GT(sample->page_table_kib, 0);
  EXPECT_GT(sample->root_rss_kib, 0);
  EXPECT_GT(sample->cpu_seconds, 0);
  EXPECT_GT(sample->root_cpu_seconds, 0);
}

TEST(ProcessStatsTest, GoneProcessHasNoTree) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(ProcessTree(pid).empty());
  EXPECT_FALSE(SampleTree(pid, false));
}

}  // namespace
}  // namespace chat::bench
