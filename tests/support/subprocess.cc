// Subprocess: fork/exec of a real program for tests, with pipes, and the
// process-inspection helpers the process-model tests use.
#include "support/subprocess.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
// glibc 2.36's <sys/pidfd.h> lacks its extern "C" block (fixed in 2.37), so
// C++ would look for a mangled pidfd_open.
extern "C" {
#include <sys/pidfd.h>
}
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace chat::test {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "test support: %s: %s\n", what, std::strerror(errno));
  std::abort();
}

void MakePipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) Die("pipe2");
}

}  // namespace

std::string ProgramPath(std::string_view name) {
  const char* dir = std::getenv("CHAT_BIN_DIR");
  std::string path = (dir && *dir) ? dir : ".";
  path += '/';
  path += name;
  return path;
}

std::unique_ptr<Subprocess> Subprocess::Start(
    const std::string& path, const std::vector<std::string>& args,
    const Options& options) {
  int in[2] = {-1, -1}, out[2], err[2];
  if (options.stdin_pipe && options.stdin_file.empty()) MakePipe(in);
  MakePipe(out);
  MakePipe(err);

  std::vector<std::string> argv_strings{path};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    int stdin_fd = in[0];
    if (stdin_fd < 0) {
      const char* file =
          options.stdin_file.empty() ? "/dev/null" : options.stdin_file.c_str();
      stdin_fd = open(file, O_RDONLY);
    }
    if (stdin_fd < 0 || dup2(stdin_fd, 0) < 0 || dup2(out[1], 1) < 0 ||
        dup2(err[1], 2) < 0) {
      _exit(126);
    }
    signal(SIGPIPE, SIG_DFL);
    for (const auto& entry : options.env) {
      putenv(const_cast<char*>(entry.c_str()));
    }
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  auto child = std::unique_ptr<Subprocess>(new Subprocess());
  child->pid_ = pid;
  if (in[0] >= 0) {
    close(in[0]);
    child->stdin_fd_ = in[1];
  }
  close(out[1]);
  close(err[1]);
  child->stdout_fd_ = out[0];
  child->stderr_fd_ = err[0];
  child->stdout_reader_ = std::make_unique<LineReader>(out[0]);
  child->stderr_reader_ = std::make_unique<LineReader>(err[0]);
  return child;
}

Subprocess::~Subprocess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_}) {
    if (fd >= 0) close(fd);
  }
}

bool Subprocess::WriteStdin(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(stdin_fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void Subprocess::CloseStdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

static std::optional<std::string> WaitForLine(
    LineReader& reader, std::string_view needle,
    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return std::nullopt;
    auto line = reader.ReadLine(left);
    if (!line) return std::nullopt;
    if (line->find(needle) != std::string::npos) return line;
  }
}

std::optional<std::string> Subprocess::WaitForStderr(
    std::string_view needle, std::chrono::milliseconds timeout) {
  return WaitForLine(err(), needle, timeout);
}

std::optional<std::string> Subprocess::WaitForStdout(
    std::string_view needle, std::chrono::milliseconds timeout) {
  return WaitForLine(out(), needle, timeout);
}

void Subprocess::Signal(int signal) {
  if (!reaped_) kill(pid_, signal);
}

std::optional<int> Subprocess::Wait(std::chrono::milliseconds timeout) {
  if (reaped_) return status_;
  // A pidfd turns "the child ended" into an event poll() can wait on.
  int pidfd = pidfd_open(pid_, 0);
  if (pidfd >= 0) {
    pollfd pfd{pidfd, POLLIN, 0};
    int ready;
    do {
      ready = poll(&pfd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    close(pidfd);
    if (ready <= 0) return std::nullopt;
  }
  if (waitpid(pid_, &status_, 0) != pid_) return std::nullopt;
  reaped_ = true;
  return status_;
}

bool Subprocess::running() {
  if (reaped_) return false;
  pid_t r = waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  return !reaped_;
}

bool WaitForPidGone(pid_t pid, std::chrono::milliseconds timeout) {
  int pidfd = pidfd_open(pid, 0);
  if (pidfd < 0) return errno == ESRCH;
  pollfd pfd{pidfd, POLLIN, 0};
  int ready;
  do {
    ready = poll(&pfd, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  close(pidfd);
  return ready > 0;
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(task_dir.c_str());
  if (!dir) return children;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream file(task_dir + "/" + entry->d_name + "/children");
    pid_t child;
    while (file >> child) children.push_back(child);
  }
  closedir(dir);
  return children;
}

std::vector<std::string> ChatShmObjects() {
  std::vector<std::string> names;
  DIR* dir = opendir("/dev/shm");
  if (!dir) return names;
  while (dirent* entry = readdir(dir)) {
    if (std::strncmp(entry->d_name, "chat-server.", 12) == 0) {
      names.emplace_back(entry->d_name);
    }
  }
  closedir(dir);
  return names;
}

}  // namespace chat::test
