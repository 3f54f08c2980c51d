// Subprocess: a real child program started for a test, with pipes on its
// standard streams, reaped (and killed if still running) when the test ends.
#ifndef CHAT_TESTS_SUPPORT_SUBPROCESS_H_
#define CHAT_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/line_reader.h"

namespace chat::test {

// $CHAT_BIN_DIR/<name> (the Makefile sets it; "." when unset).
std::string ProgramPath(std::string_view name);

class Subprocess {
 public:
  struct Options {
    std::vector<std::string> env;  // extra "NAME=value" entries
    bool stdin_pipe = true;        // false: stdin is /dev/null
    std::string stdin_file;        // non-empty: stdin is this file
  };

  // Starts `path` with `args` (argv[0] is `path`). Aborts the test binary
  // with a message if fork/exec set-up fails.
  static std::unique_ptr<Subprocess> Start(const std::string& path,
                                           const std::vector<std::string>& args,
                                           const Options& options);
  static std::unique_ptr<Subprocess> Start(
      const std::string& path, const std::vector<std::string>& args) {
    return Start(path, args, Options{});
  }

  ~Subprocess();  // SIGKILL if still running, then reap

  pid_t pid() const { return pid_; }

  bool WriteStdin(std::string_view bytes);
  void CloseStdin();

  LineReader& out() { return *stdout_reader_; }
  LineReader& err() { return *stderr_reader_; }

  // Reads stderr lines until one contains `needle`; returns that line.
  std::optional<std::string> WaitForStderr(
      std::string_view needle,
      std::chrono::milliseconds timeout = kEventTimeout);
  // The same for stdout.
  std::optional<std::string> WaitForStdout(
      std::string_view needle,
      std::chrono::milliseconds timeout = kEventTimeout);

  void Signal(int signal);
  // Waits for the child to end; its wait status, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout = kEventTimeout);
  bool running();

 private:
  Subprocess() = default;

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::unique_ptr<LineReader> stdout_reader_;
  std::unique_ptr<LineReader> stderr_reader_;
};

// Waits for `pid` (not necessarily our child) to disappear: kill(pid, 0)
// failing with ESRCH. Polls with a short bounded back-off.
bool WaitForPidGone(pid_t pid,
                    std::chrono::milliseconds timeout = kEventTimeout);

// Direct children of `pid`, from /proc/<pid>/task/*/children.
std::vector<pid_t> ChildrenOf(pid_t pid);

// Names in /dev/shm starting with "chat-server.".
std::vector<std::string> ChatShmObjects();

}  // namespace chat::test

#endif  // CHAT_TESTS_SUPPORT_SUBPROCESS_H_
