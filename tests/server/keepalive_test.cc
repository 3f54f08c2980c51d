// TCP keepalive on client sockets: SetKeepalive sets what the options say,
// and the real server's end of a client connection has its keepalive timer
// running (read from /proc/net/tcp6 and /proc/net/tcp, as ss(8) does).
#include "server/keepalive.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "support/connection.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

int IntOption(int fd, int level, int name) {
  int value = -1;
  socklen_t length = sizeof value;
  EXPECT_EQ(getsockopt(fd, level, name, &value, &length), 0);
  return value;
}

TEST(KeepaliveTest, SetsIdleIntervalAndCount) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  server::KeepaliveOptions options;
  options.idle_seconds = 42;
  options.interval_seconds = 7;
  options.count = 3;
  EXPECT_EQ(server::SetKeepalive(fd, options), "");
  EXPECT_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPIDLE), 42);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPINTVL), 7);
  EXPECT_EQ(IntOption(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
  close(fd);
}

TEST(KeepaliveTest, IdleZeroLeavesKeepaliveOff) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  server::KeepaliveOptions options;
  options.idle_seconds = 0;
  EXPECT_EQ(server::SetKeepalive(fd, options), "");
  EXPECT_EQ(IntOption(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  close(fd);
}

uint16_t LocalPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

// The timer of the server's end of the connection from `client_port` to
// `server_port`: "TR:WHEN" as /proc/net/tcp* shows it (TR 02: keepalive;
// WHEN in clock ticks), or nullopt if no such socket is listed.
std::optional<std::string> ServerSideTimer(uint16_t server_port,
                                           uint16_t client_port) {
  char local[8];
  char remote[8];
  snprintf(local, sizeof local, ":%04X", server_port);
  snprintf(remote, sizeof remote, ":%04X", client_port);
  for (const char* table : {"/proc/net/tcp6", "/proc/net/tcp"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the heading
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local_address, remote_address, state, queues, timer;
      fields >> slot >> local_address >> remote_address >> state >> queues >>
          timer;
      if (local_address.ends_with(local) && remote_address.ends_with(remote)) {
        return timer;
      }
    }
  }
  return std::nullopt;
}

TEST(KeepaliveTest, ServerEndOfAClientConnectionProbesWhenIdle) {
  auto server = ServerProcess::Start(
      {"--keepalive-idle", "7", "--keepalive-interval", "2"});
  ASSERT_TRUE(server);
  auto client = ConnectAndGreet(server->port());
  ASSERT_TRUE(client);
  auto timer = ServerSideTimer(server->port(), LocalPort(client->fd()));
  ASSERT_TRUE(timer);
  // 02: the keepalive timer; due in at most 7 s (700 ticks at USER_HZ 100).
  EXPECT_EQ(timer->substr(0, 3), "02:") << *timer;
  unsigned long when = std::stoul(timer->substr(3), nullptr, 16);
  EXPECT_GT(when, 0u) << *timer;
  EXPECT_LE(when, 7u * sysconf(_SC_CLK_TCK)) << *timer;
}

TEST(KeepaliveTest, IdleZeroTurnsItOff) {
  auto server = ServerProcess::Start({"--keepalive-idle", "0"});
  ASSERT_TRUE(server);
  auto client = ConnectAndGreet(server->port());
  ASSERT_TRUE(client);
  auto timer = ServerSideTimer(server->port(), LocalPort(client->fd()));
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->substr(0, 3), "00:") << *timer;
}

}  // namespace
}  // namespace chat::test
