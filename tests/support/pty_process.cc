// PtyProcess: openpty + fork + exec, the child made session leader with the
// pty as its controlling terminal, as a terminal emulator would.
#include "support/pty_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
// glibc 2.36's <sys/pidfd.h> lacks its extern "C" block (fixed in 2.37).
extern "C" {
#include <sys/pidfd.h>
}
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace chat::test {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "test support: %s: %s\n", what, std::strerror(errno));
  std::abort();
}

// The child's environment: ours with `extra` entries added or replacing
// those of the same name.
std::vector<std::string> MergeEnvironment(
    const std::vector<std::string>& extra) {
  std::vector<std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view current(*entry);
    const std::string_view name = current.substr(0, current.find('='));
    bool replaced = false;
    for (const std::string& e : extra) {
      if (std::string_view(e).substr(0, e.find('=')) == name) replaced = true;
    }
    if (!replaced) merged.emplace_back(current);
  }
  merged.insert(merged.end(), extra.begin(), extra.end());
  return merged;
}

}  // namespace

std::unique_ptr<PtyProcess> PtyProcess::Start(
    const std::string& path, const std::vector<std::string>& args,
    const Options& options) {
  auto process = std::unique_ptr<PtyProcess>(new PtyProcess());
  winsize size{};
  size.ws_row = options.rows;
  size.ws_col = options.columns;
  if (openpty(&process->master_, &process->slave_, nullptr, nullptr, &size) !=
      0) {
    Die("openpty");
  }
  fcntl(process->master_, F_SETFD, FD_CLOEXEC);
  fcntl(process->slave_, F_SETFD, FD_CLOEXEC);

  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> argv_strings{path};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = MergeEnvironment(options.env);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    if (setsid() < 0 || ioctl(process->slave_, TIOCSCTTY, 0) < 0 ||
        dup2(process->slave_, 0) < 0 || dup2(process->slave_, 1) < 0 ||
        dup2(process->slave_, 2) < 0) {
      _exit(126);
    }
    signal(SIGPIPE, SIG_DFL);
    execve(path.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  process->pid_ = pid;
  return process;
}

PtyProcess::~PtyProcess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  close(master_);
  close(slave_);
}

bool PtyProcess::Type(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(master_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool PtyProcess::ReadSome(std::chrono::milliseconds timeout) {
  pollfd pfd{master_, POLLIN, 0};
  int ready;
  do {
    ready = poll(&pfd, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return false;
  char chunk[4096];
  const ssize_t n = read(master_, chunk, sizeof chunk);
  if (n <= 0) return false;
  screen_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<size_t> PtyProcess::WaitFor(std::string_view needle, size_t from,
                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const size_t at = screen_.find(needle, from);
    if (at != std::string::npos) return at + needle.size();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    ReadSome(left);
  }
}

termios PtyProcess::Settings() const {
  termios settings{};
  tcgetattr(slave_, &settings);
  return settings;
}

void PtyProcess::Signal(int signal) {
  if (!reaped_) kill(pid_, signal);
}

bool PtyProcess::WaitStopped(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status;
    if (waitpid(pid_, &status, WUNTRACED | WNOHANG) == pid_) {
      if (WIFSTOPPED(status)) return true;
      reaped_ = true;  // it ended instead
      status_ = status;
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // No event reports "stopped" to a poll; check again after output or
    // a short bounded wait.
    ReadSome(std::chrono::milliseconds(10));
  }
}

std::optional<int> PtyProcess::Wait(std::chrono::milliseconds timeout) {
  if (reaped_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int pidfd = pidfd_open(pid_, 0);
  if (pidfd < 0) return std::nullopt;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    // Keep draining the screen so a program blocked writing to a full
    // terminal can still finish.
    pollfd fds[2] = {{pidfd, POLLIN, 0}, {master_, POLLIN, 0}};
    const int ready = poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    if (fds[1].revents & POLLIN) ReadSome(std::chrono::milliseconds(0));
    if (fds[0].revents & POLLIN) {
      close(pidfd);
      if (waitpid(pid_, &status_, 0) != pid_) return std::nullopt;
      reaped_ = true;
      while (ReadSome(std::chrono::milliseconds(0))) {
      }
      return status_;
    }
  }
  close(pidfd);
  return std::nullopt;
}

}  // namespace chat::test
