// ServerProcess: a real ./server started on a free port for one test.
#ifndef CHAT_TESTS_SUPPORT_SERVER_PROCESS_H_
#define CHAT_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/subprocess.h"

namespace chat::test {

// A new empty directory under $TMPDIR (or /tmp), and its removal with
// everything in it.
std::string MakeTempDir();
void RemoveTree(const std::string& path);

class ServerProcess {
 public:
  // Starts ProgramPath("server") with port 0 and `extra_args`, and waits for
  // its "listening on HOST:PORT" line on stdout. nullptr (with a gtest
  // failure recorded) if it does not come.
  // `env` adds "NAME=value" entries to the server's environment.
  static std::unique_ptr<ServerProcess> Start(
      const std::vector<std::string>& extra_args = {},
      const std::vector<std::string>& env = {});

  uint16_t port() const { return port_; }
  // The data directory the server was given (empty if the test chose).
  const std::string& data_dir() const { return own_data_dir_; }
  pid_t pid() const { return process_->pid(); }
  Subprocess& process() { return *process_; }

  ~ServerProcess();

  // Takes status-log lines (stderr) in order until one contains `needle`;
  // returns it. Lines taken on the way are gone for later calls (appended to
  // *skipped when given).
  std::optional<std::string> WaitForLog(
      std::string_view needle,
      std::chrono::milliseconds timeout = kEventTimeout,
      std::vector<std::string>* skipped = nullptr);

 private:
  // A thread keeps reading stderr so that a test that does not look at the
  // log never fills the pipe and stalls the server.
  void CollectLog();

  std::unique_ptr<Subprocess> process_;
  uint16_t port_ = 0;
  std::string own_data_dir_;
  std::thread log_thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable log_arrived_;
  std::deque<std::string> log_;
};

}  // namespace chat::test

#endif  // CHAT_TESTS_SUPPORT_SERVER_PROCESS_H_
