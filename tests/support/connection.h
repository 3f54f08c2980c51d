// Connection: a raw TCP client for tests, speaking the line protocol by hand
// so tests assert on the exact bytes the server sent.
#ifndef CHAT_TESTS_SUPPORT_CONNECTION_H_
#define CHAT_TESTS_SUPPORT_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/line_reader.h"

namespace chat::test {

class Connection {
 public:
  // Connects to host:port (numeric IPv4 or IPv6 address); nullptr on failure.
  // A `source` address (numeric IPv4, e.g. 127.0.0.2) is bound first, so
  // that tests of per-address limits can come from several addresses.
  static std::unique_ptr<Connection> Open(uint16_t port,
                                          const std::string& host = "127.0.0.1",
                                          const std::string& source = {});
  ~Connection();

  int fd() const { return fd_; }

  // Sends bytes exactly as given (no LF added).
  bool Send(std::string_view bytes);
  // Sends `line` plus "\n".
  bool SendLine(std::string_view line) {
    return Send(std::string(line) + "\n");
  }

  std::optional<std::string> ReadLine(
      std::chrono::milliseconds timeout = kEventTimeout) {
    return reader_.ReadLine(timeout);
  }
  // Reads lines until one equals `expected`; the lines skipped on the way go
  // to *skipped. False on timeout or close.
  bool SkipUntil(std::string_view expected,
                 std::vector<std::string>* skipped = nullptr,
                 std::chrono::milliseconds timeout = kEventTimeout);
  // True once the server has closed the connection (lines still buffered or
  // arriving before the close are returned in *remaining).
  bool WaitClosed(std::vector<std::string>* remaining = nullptr,
                  std::chrono::milliseconds timeout = kEventTimeout);

  // Closes the socket now (an abrupt client exit).
  void Close();
  // Shrinks the receive buffer (before connecting is not possible here, so
  // call it first thing) for slow-reader tests.
  void SetReceiveBuffer(int bytes);

 private:
  explicit Connection(int fd) : fd_(fd), reader_(fd) {}
  // The next line if one comes before `deadline`; nullopt on timeout or close.
  std::optional<std::string> ReadLineBefore(
      std::chrono::steady_clock::time_point deadline);

  int fd_;
  LineReader reader_;
};

// Connects and reads the HELLO line. nullptr (with a gtest failure
// recorded) otherwise.
std::unique_ptr<Connection> ConnectAndGreet(uint16_t port);

// Connects, reads the HELLO line, sends JOIN <name> and expects
// "OK JOIN <name>". nullptr (with a gtest failure recorded) otherwise.
std::unique_ptr<Connection> ConnectAndJoin(uint16_t port,
                                           std::string_view name);

}  // namespace chat::test

#endif  // CHAT_TESTS_SUPPORT_CONNECTION_H_
