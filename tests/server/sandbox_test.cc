// The worker sandbox (server/sandbox.h) on real processes: what a confined
// worker can and cannot do, a forbidden call made by a live worker (injected
// through ptrace, support/tracer.h: no hook in the server makes a worker do
// it), and --no-sandbox.
#include "server/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>

#include "ipc/channel.h"
#include "server/end_reason.h"
#include "server/server_children.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/subprocess.h"
#include "support/tracer.h"

namespace chat::test {
namespace {

// The value of field `name` ("Seccomp", "NoNewPrivs") in /proc/PID/status.
std::string StatusField(pid_t pid, const std::string& name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      size_t value = line.find_first_not_of(" \t", name.size() + 1);
      return value == std::string::npos ? "" : line.substr(value);
    }
  }
  return "";
}

// In a forked child: enters the sandbox, then runs `body`, whose return
// value becomes the exit status. The child's wait status is returned;
// `report` is the other end of the channel the sandbox reports on.
template <typename Body>
int InSandbox(Body body, int* report) {
  std::string error;
  auto sandbox = server::Sandbox::Prepare(&error);
  EXPECT_TRUE(sandbox) << error;
  if (!sandbox) return -1;
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (!sandbox->Enter(fds[1], &error)) _exit(100);
    _exit(body());
  }
  close(fds[1]);
  *report = fds[0];
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

// The call number in the kForbiddenCall frame waiting on `report`, or -1.
long ReportedCall(int report) {
  char frame[ipc::kFrameHeaderSize + 1];
  if (recv(report, frame, sizeof frame, MSG_DONTWAIT) !=
          static_cast<ssize_t>(ipc::kFrameHeaderSize) ||
      frame[0] != static_cast<char>(ipc::FrameKind::kForbiddenCall)) {
    return -1;
  }
  uint32_t number;
  std::memcpy(&number, frame + 4, sizeof number);
  return number;
}

TEST(SandboxTest, OpeningFilesIsRefusedAndUnknownCallsFailWithEnosys) {
  int report = -1;
  int status = InSandbox(
      [] {
        if (open("/etc/hostname", O_RDONLY) >= 0 || errno != EACCES) return 1;
        if (openat(AT_FDCWD, "/tmp", O_RDONLY) >= 0 || errno != EACCES) {
          return 2;
        }
        if (mkdir("/tmp/chat-sandbox-never", 0700) == 0 || errno != ENOSYS) {
          return 3;
        }
        if (syscall(SYS_uname, nullptr) == 0 || errno != ENOSYS) return 4;
        // What a worker does keeps working.
        if (getpid() <= 0 || write(STDERR_FILENO, "", 0) != 0) return 5;
        return 0;
      },
      &report);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  close(report);
}

// Landlock alone (what the spawner enters for every worker), where the
// kernel has it: no file can be opened, with no seccomp filter involved.
TEST(SandboxTest, LandlockLeavesNoFileToOpenWhereTheKernelHasIt) {
  if (syscall(SYS_landlock_create_ruleset, nullptr, 0,
              LANDLOCK_CREATE_RULESET_VERSION) < 1) {
    GTEST_SKIP() << "no Landlock in this kernel";
  }
  std::string error;
  auto sandbox = server::Sandbox::Prepare(&error);
  ASSERT_TRUE(sandbox) << error;
  pid_t pid = fork();
  if (pid == 0) {
    sandbox->ConfineSpawner();
    int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    _exit(fd < 0 && errno == EACCES ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(SandboxTest, ADangerousCallIsReportedAndEndsTheProcess) {
  int report = -1;
  int status = InSandbox(
      [] {
        char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
        execve("/bin/true", argv, nullptr);
        return 1;  // not reached: the call traps
      },
      &report);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status),
            server::ExitStatusOf(server::EndReason::kForbiddenCall));
  EXPECT_EQ(ReportedCall(report), SYS_execve);
  EXPECT_EQ(server::SystemCallName(SYS_execve),
            "execve (" + std::to_string(SYS_execve) + ")");
  close(report);
}

TEST(SandboxTest, AskingForExecutableMemoryIsADangerousCall) {
  int report = -1;
  int status = InSandbox(
      [] {
        // Data pages are fine; code pages are not.
        void* data = mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (data == MAP_FAILED) return 1;
        mprotect(data, 4096, PROT_READ | PROT_EXEC);
        return 2;  // not reached: the call traps
      },
      &report);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status),
            server::ExitStatusOf(server::EndReason::kForbiddenCall));
  EXPECT_EQ(ReportedCall(report), SYS_mprotect);
  close(report);
}

// A worker: Alice and Bob chat; Victim's worker is the one returned.
struct ThreeWorkers {
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Connection> alice, bob, victim;
  pid_t victim_worker = -1;
};

void StartThree(const std::vector<std::string>& args, ThreeWorkers* three) {
  three->server = ServerProcess::Start(args);
  ASSERT_NE(three->server, nullptr);
  three->alice = ConnectAndJoin(three->server->port(), "Alice");
  three->bob = ConnectAndJoin(three->server->port(), "Bob");
  ASSERT_TRUE(three->alice && three->bob);
  ASSERT_TRUE(NextLineIs(*three->alice, "JOINED Bob"));
  auto before = WorkersOf(three->server->pid());
  three->victim = ConnectAndJoin(three->server->port(), "Victim");
  ASSERT_NE(three->victim, nullptr);
  ASSERT_TRUE(NextLineIs(*three->alice, "JOINED Victim"));
  ASSERT_TRUE(NextLineIs(*three->bob, "JOINED Victim"));
  for (pid_t pid : WorkersOf(three->server->pid())) {
    if (std::find(before.begin(), before.end(), pid) == before.end()) {
      three->victim_worker = pid;
    }
  }
  ASSERT_GT(three->victim_worker, 0);
}

TEST(SandboxTest, WorkersRunConfinedByDefault) {
  ThreeWorkers three;
  ASSERT_NO_FATAL_FAILURE(StartThree({}, &three));
  EXPECT_EQ(StatusField(three.victim_worker, "NoNewPrivs"), "1");
  EXPECT_EQ(StatusField(three.victim_worker, "Seccomp"), "2");  // filter
  // The spawner took no_new_privs (and Landlock) for every worker; neither
  // it nor the broker has the filter.
  EXPECT_EQ(StatusField(SpawnerOf(three.server->pid()), "NoNewPrivs"), "1");
  EXPECT_EQ(StatusField(SpawnerOf(three.server->pid()), "Seccomp"), "0");
  EXPECT_EQ(StatusField(three.server->pid(), "Seccomp"), "0");
}

TEST(SandboxTest, NoSandboxLeavesWorkersUnconfined) {
  ThreeWorkers three;
  ASSERT_NO_FATAL_FAILURE(StartThree({"--no-sandbox"}, &three));
  EXPECT_TRUE(three.server->WaitForLog("--no-sandbox: workers run unconfined"));
  EXPECT_EQ(StatusField(three.victim_worker, "NoNewPrivs"), "0");
  EXPECT_EQ(StatusField(three.victim_worker, "Seccomp"), "0");
  three.alice->SendLine("MESG Victim hello");
  EXPECT_TRUE(NextLineIs(*three.victim, "MESG Alice hello"));
}

// Under an outer seccomp policy that forbids seccomp(2) (a container's, a
// unit's SystemCallFilter), the server says so at start-up instead of
// starting workers that cannot serve.
TEST(SandboxTest, AServerThatCannotSandboxItsWorkersSaysSoAtStart) {
  int err[2];
  ASSERT_EQ(pipe2(err, O_CLOEXEC), 0);
  const std::string program = ProgramPath("server");
  pid_t pid = fork();
  if (pid == 0) {
    scmp_filter_ctx outer = seccomp_init(SCMP_ACT_ALLOW);
    if (outer == nullptr ||
        seccomp_rule_add(outer, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 0) ||
        seccomp_load(outer) != 0) {
      _exit(100);
    }
    dup2(err[1], STDERR_FILENO);
    execl(program.c_str(), program.c_str(), "0", "--ephemeral", nullptr);
    _exit(101);
  }
  close(err[1]);
  std::string text;
  char chunk[512];
  ssize_t n;
  while ((n = read(err[0], chunk, sizeof chunk)) > 0) text.append(chunk, n);
  close(err[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << text;
  EXPECT_NE(text.find("sandbox: a worker cannot enter it here (Operation not "
                      "permitted): if an outer sandbox forbids seccomp(2)"),
            std::string::npos)
      << text;
}

struct Forbidden {
  long number;
  const char* name;
  uint64_t args[6];
};

class ForbiddenCallTest : public testing::TestWithParam<Forbidden> {};

// The call is made by the worker itself (the tracer only sets its registers
// and lets it run), so what the log and the others see is what an attacker
// who took over a worker would cause.
TEST_P(ForbiddenCallTest, KillsThatWorkerAloneAndTheBrokerNamesTheCall) {
  const Forbidden& call = GetParam();
  ThreeWorkers three;
  ASSERT_NO_FATAL_FAILURE(StartThree({}, &three));
  std::string error;
  auto tracer = Tracer::Attach(three.victim_worker, &error);
  if (!tracer) GTEST_SKIP() << "cannot trace the worker: " << error;
  EXPECT_EQ(tracer->InjectSystemCall(call.number, call.args, kEventTimeout),
            SIGSYS);

  std::string subject = "pid " + std::to_string(three.victim_worker) + ": ";
  EXPECT_TRUE(three.server->WaitForLog(
      subject + "error: sandbox: forbidden system call " + call.name + " (" +
      std::to_string(call.number) + ")"));
  EXPECT_TRUE(three.server->WaitForLog(
      subject + "error: reaped: exit 21 (forbidden system call)"));
  EXPECT_TRUE(ClosedAfter(*three.victim, {}));
  EXPECT_TRUE(NextLineIs(*three.alice, "LEFT Victim"));
  EXPECT_TRUE(NextLineIs(*three.bob, "LEFT Victim"));
  three.alice->SendLine("MESG Bob still here");
  EXPECT_TRUE(NextLineIs(*three.alice, "OK MESG Bob"));
  EXPECT_TRUE(NextLineIs(*three.bob, "MESG Alice still here"));
  three.bob->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*three.bob, "LIST Alice,Bob"));
}

INSTANTIATE_TEST_SUITE_P(
    Calls, ForbiddenCallTest,
    testing::Values(Forbidden{SYS_execve, "execve", {0, 0, 0, 0, 0, 0}},
                    Forbidden{SYS_socket, "socket", {AF_INET, SOCK_STREAM}},
                    Forbidden{SYS_ptrace, "ptrace", {0, 0, 0, 0, 0, 0}},
                    Forbidden{SYS_kill, "kill", {0, 0, 0, 0, 0, 0}}),
    [](const testing::TestParamInfo<Forbidden>& info) {
      return std::string(info.param.name);
    });

}  // namespace
}  // namespace chat::test
