// ServerTest: a real ./server; TwoUsersTest: Alice and Bob registered on it,
// each with the other's JOINED read; the set-up the tests of rooms, requests
// and other version 2 features start from.
#ifndef CHAT_TESTS_SUPPORT_TWO_USERS_H_
#define CHAT_TESTS_SUPPORT_TWO_USERS_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {

// The answer to a request that needs a registered connection.
inline const std::string kJoinFirst =
    "ERR Unregistered User: send JOIN <username> first";

// A real ./server, started with no options unless a test starts its own.
class ServerTest : public testing::Test {
 protected:
  void StartServer(const std::vector<std::string>& args = {}) {
    server_ = ServerProcess::Start(args);
    ASSERT_NE(server_, nullptr);
  }
  void SetUp() override { StartServer(); }
  uint16_t port() const { return server_->port(); }

  std::unique_ptr<ServerProcess> server_;
};

class TwoUsersTest : public ServerTest {
 protected:
  // Alice and Bob, registered, each with the other's JOINED read.
  void AliceAndBob() {
    alice_ = ConnectAndJoin(port(), "Alice");
    bob_ = ConnectAndJoin(port(), "Bob");
    ASSERT_TRUE(alice_ && bob_);
    ASSERT_TRUE(NextLineIs(*alice_, "JOINED Bob"));
  }

  std::unique_ptr<Connection> alice_, bob_;
};

}  // namespace chat::test

#endif  // CHAT_TESTS_SUPPORT_TWO_USERS_H_
