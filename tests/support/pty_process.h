// PtyProcess: a real program run on a pseudo-terminal, for tests of
// interactive behaviour: the test types bytes as a user would and reads
// what the program drew on the screen.
#ifndef CHAT_TESTS_SUPPORT_PTY_PROCESS_H_
#define CHAT_TESTS_SUPPORT_PTY_PROCESS_H_

#include <sys/types.h>
#include <termios.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/line_reader.h"

namespace chat::test {

class PtyProcess {
 public:
  struct Options {
    std::vector<std::string> env;  // "NAME=value" entries added or replaced
    unsigned short rows = 24;
    unsigned short columns = 80;
  };

  // Starts `path` with `args` as the session leader of a new pseudo-terminal
  // (stdin, stdout and stderr all on it). Aborts the test binary with a
  // message if the set-up fails.
  static std::unique_ptr<PtyProcess> Start(const std::string& path,
                                           const std::vector<std::string>& args,
                                           const Options& options);
  ~PtyProcess();  // SIGKILL if still running, then reap

  pid_t pid() const { return pid_; }

  // Types `bytes` on the terminal.
  bool Type(std::string_view bytes);

  // Reads screen output until `needle` appears at or after byte offset
  // `from` of everything read so far; returns the offset just past it, or
  // nullopt on timeout (the output is then in screen()).
  std::optional<size_t> WaitFor(
      std::string_view needle, size_t from = 0,
      std::chrono::milliseconds timeout = kEventTimeout);
  // Everything the program wrote to the terminal so far.
  const std::string& screen() const { return screen_; }

  // The terminal's current settings (the test holds the slave side open, so
  // they outlive the program).
  termios Settings() const;

  void Signal(int signal);
  // Waits until the program is stopped (job control), reading its output
  // meanwhile; false on timeout.
  bool WaitStopped(std::chrono::milliseconds timeout = kEventTimeout);
  // Waits for the program to end, reading its output meanwhile; its wait
  // status, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout = kEventTimeout);

 private:
  PtyProcess() = default;
  // Reads what is available within `timeout`; false if nothing came.
  bool ReadSome(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int master_ = -1;
  int slave_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string screen_;
};

}  // namespace chat::test

#endif  // CHAT_TESTS_SUPPORT_PTY_PROCESS_H_
