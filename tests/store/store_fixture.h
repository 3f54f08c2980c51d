// StoreTest: a real ./server with a data directory of the test's own, which
// outlives restarts of the server within the test.
#ifndef CHAT_TESTS_STORE_STORE_FIXTURE_H_
#define CHAT_TESTS_STORE_STORE_FIXTURE_H_

#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {

inline constexpr std::string_view kPassword = "correct-horse";

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    Start();
  }
  void TearDown() override {
    server_.reset();
    RemoveTree(dir_);
  }

  void Start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--data-dir", dir_};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = ServerProcess::Start(args);
    ASSERT_NE(server_, nullptr);
  }
  // SIGTERM, a clean exit, and a new server on the same directory.
  void Restart(const std::vector<std::string>& extra = {}) {
    server_->process().Signal(SIGTERM);
    ASSERT_EQ(server_->process().Wait(), 0);
    server_.reset();
    Start(extra);
  }

  uint16_t port() const { return server_->port(); }
  const std::string& dir() const { return dir_; }
  std::string db() const { return dir_ + "/chat-server.db"; }

  // A connection that sent `line` as its first request and got `answer`.
  std::unique_ptr<Connection> Ask(std::string_view line,
                                  std::string_view answer) {
    auto connection = ConnectAndGreet(port());
    if (!connection) return nullptr;
    connection->SendLine(line);
    EXPECT_TRUE(NextLineIs(*connection, answer)) << "after " << line;
    return connection;
  }
  std::unique_ptr<Connection> Register(std::string_view name) {
    return Ask("REGISTER " + std::string(name) + " " + std::string(kPassword),
               "OK REGISTER " + std::string(name));
  }
  std::unique_ptr<Connection> Login(std::string_view name,
                                    std::string_view spelled) {
    return Ask("LOGIN " + std::string(name) + " " + std::string(kPassword),
               "OK LOGIN " + std::string(spelled));
  }
  // Registers `name` and leaves: an account nobody is logged in to.
  void MakeAccount(std::string_view name) {
    auto user = Register(name);
    ASSERT_NE(user, nullptr);
    user->SendLine("QUIT");
    ASSERT_TRUE(ClosedAfter(*user, {"OK QUIT"}));
    ASSERT_TRUE(server_->WaitForLog("LEFT " + std::string(name)));
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace chat::test

#endif  // CHAT_TESTS_STORE_STORE_FIXTURE_H_
