// --user NAME: refused clearly without root; as root, every process of the
// server runs as NAME once the listeners are bound, and the data directory
// belongs to NAME. The tests that need root skip without it.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "server/server_children.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

constexpr uid_t kNobody = 65534;

// The real uid of `pid` (the first number of /proc/PID/status's Uid line).
long UidOf(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) == 0) return std::stol(line.substr(4));
  }
  return -1;
}

// Runs ./server with `args` to its end, as uid and gid `as` when the test
// runs as root (through setpriv), as the test's own user otherwise.
std::pair<int, std::string> RunServerAs(uid_t as,
                                        std::vector<std::string> args) {
  std::string program = ProgramPath("server");
  if (geteuid() == 0) {
    args.insert(args.begin(),
                {"--reuid=" + std::to_string(as),
                 "--regid=" + std::to_string(as), "--clear-groups", program});
    program = "/usr/bin/setpriv";
  }
  auto process = Subprocess::Start(program, args);
  std::string out, err;
  EXPECT_TRUE(process->out().ReadToEof(&out));
  EXPECT_TRUE(process->err().ReadToEof(&err));
  auto status = process->Wait();
  return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, err};
}

TEST(UserTest, RefusedWithoutRoot) {
  if (geteuid() == 0 && access("/usr/bin/setpriv", X_OK) != 0) {
    GTEST_SKIP() << "running as root without setpriv to drop root";
  }
  auto [status, err] =
      RunServerAs(kNobody, {"0", "--ephemeral", "--user", "nobody"});
  EXPECT_EQ(status, 1);
  EXPECT_NE(err.find("--user nobody needs the server started as root"),
            std::string::npos)
      << err;
}

TEST(UserTest, AsRootEveryProcessRunsAsTheUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  if (getpwnam("nobody") == nullptr) GTEST_SKIP() << "no user nobody";
  // The user must reach the data directory: its parent is opened up, and
  // the directory itself is left for the server to create.
  std::string parent = MakeTempDir();
  ASSERT_EQ(chmod(parent.c_str(), 0711), 0);
  std::string data = parent + "/data";
  {
    auto server =
        ServerProcess::Start({"--user", "nobody", "--data-dir", data});
    ASSERT_NE(server, nullptr);
    EXPECT_TRUE(server->WaitForLog("running as user nobody (uid 65534"));
    auto alice = ConnectAndJoin(server->port(), "Alice");
    auto bob = ConnectAndJoin(server->port(), "Bob");
    ASSERT_TRUE(alice && bob);
    EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
    alice->SendLine("REGISTER Alice correct-horse-battery");
    EXPECT_TRUE(NextLineIs(*alice, "OK REGISTER Alice"));
    alice->SendLine("MESG Bob hello");
    EXPECT_TRUE(NextLineIs(*bob, "MESG Alice hello"));
    EXPECT_EQ(UidOf(server->pid()), kNobody);
    EXPECT_EQ(UidOf(SpawnerOf(server->pid())), kNobody);
    EXPECT_EQ(UidOf(StoreOf(server->pid())), kNobody);
    for (pid_t worker : WorkersOf(server->pid())) {
      EXPECT_EQ(UidOf(worker), kNobody);
    }
    struct stat status {};
    ASSERT_EQ(stat(data.c_str(), &status), 0);
    EXPECT_EQ(status.st_uid, kNobody);
  }
  RemoveTree(parent);
}

TEST(UserTest, ADataDirectoryOfAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  if (getpwnam("nobody") == nullptr) GTEST_SKIP() << "no user nobody";
  std::string dir = MakeTempDir();  // root's
  auto process = Subprocess::Start(
      ProgramPath("server"), {"0", "--user", "nobody", "--data-dir", dir});
  std::string err;
  EXPECT_TRUE(process->err().ReadToEof(&err));
  auto status = process->Wait();
  ASSERT_TRUE(status && WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE(err.find("the data directory " + dir +
                     " belongs to uid 0, not "
                     "to nobody"),
            std::string::npos)
      << err;
  RemoveTree(dir);
}

}  // namespace
}  // namespace chat::test
