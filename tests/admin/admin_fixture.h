// AdminTest: a real ./server on a data directory of the test's own (the
// store tests' fixture), and ./chat-admin run on that directory as a real
// process, its output and exit status collected.
#ifndef CHAT_TESTS_ADMIN_ADMIN_FIXTURE_H_
#define CHAT_TESTS_ADMIN_ADMIN_FIXTURE_H_

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/store_fixture.h"
#include "support/subprocess.h"

namespace chat::test {

struct AdminRun {
  int status = -1;  // exit status; -1 if it did not exit normally
  std::string out;
  std::string err;
};

// Runs ProgramPath("chat-admin") with `args`; `input`, if given, is its
// standard input (then closed), else stdin is /dev/null.
inline AdminRun RunAdmin(const std::vector<std::string>& args,
                         const std::optional<std::string>& input = {}) {
  Subprocess::Options options;
  options.stdin_pipe = input.has_value();
  auto admin = Subprocess::Start(ProgramPath("chat-admin"), args, options);
  if (input) {
    admin->WriteStdin(*input);
    admin->CloseStdin();
  }
  AdminRun run;
  EXPECT_TRUE(admin->out().ReadToEof(&run.out)) << "chat-admin stdout";
  EXPECT_TRUE(admin->err().ReadToEof(&run.err)) << "chat-admin stderr";
  auto status = admin->Wait();
  EXPECT_TRUE(status.has_value()) << "chat-admin did not exit";
  if (status && WIFEXITED(*status)) run.status = WEXITSTATUS(*status);
  return run;
}

// The lines of `text` (each without its LF).
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

class AdminTest : public StoreTest {
 protected:
  // chat-admin --data-dir <the test's directory> `args`.
  AdminRun Admin(std::vector<std::string> args,
                 const std::optional<std::string>& input = {}) {
    args.insert(args.begin(), {"--data-dir", dir()});
    return RunAdmin(args, input);
  }

  // Runs `args` until `done` holds for its output (the store commits what
  // the server reports a little after the client sees the answer), at most
  // kEventTimeout, with a short bounded back-off; the last run.
  AdminRun AdminUntil(const std::vector<std::string>& args,
                      const std::function<bool(const AdminRun&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
    auto pause = std::chrono::milliseconds(5);
    for (int attempt = 0; attempt < 200; ++attempt) {
      AdminRun run = Admin(args);
      if (done(run) || std::chrono::steady_clock::now() >= deadline) {
        return run;
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(100));
    }
    return Admin(args);
  }
};

}  // namespace chat::test

#endif  // CHAT_TESTS_ADMIN_ADMIN_FIXTURE_H_
