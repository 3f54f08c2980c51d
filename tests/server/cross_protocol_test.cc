// Cross-protocol requests: the shapes LooksLikeHttp takes for HTTP, and a
// real browser-style POST to the chat port, which is closed without an
// answer, logged, and none of whose body lines are obeyed.
#include "server/cross_protocol.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

using server::LooksLikeHttp;

TEST(CrossProtocolTest, HttpRequestLinesAndHostHeadersLookLikeHttp) {
  for (const char* line : {"POST / HTTP/1.1", "GET /index.html HTTP/1.0",
                           "PRI * HTTP/2.0", "OPTIONS * HTTP/1.1\r",
                           "Host: 192.168.1.10:8001", "host:x", "HOST: chat"}) {
    EXPECT_TRUE(LooksLikeHttp(line)) << line;
  }
}

TEST(CrossProtocolTest, ChatLinesDoNotLookLikeHttp) {
  for (const char* line :
       {"JOIN Alice", "BCST POST / HTTP/1.1", "MESG Bob GET / HTTP/1.1", "LIST",
        "Hostname: x", "post / HTTP/1.1", "POST /", "POST  HTTP/1.1",
        "POST / HTTP/x", "Hosts: y", ""}) {
    EXPECT_FALSE(LooksLikeHttp(line)) << line;
  }
}

// What a page's fetch('http://chat:PORT/', {method: 'POST', body}) sends.
const char kBrowserPost[] =
    "POST / HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 27\r\n"
    "\r\n"
    "JOIN Mallory\n"
    "BCST pwned\n";

TEST(CrossProtocolTest, BrowserPostIsClosedUnansweredAndNotObeyed) {
  auto server = ServerProcess::Start();
  ASSERT_TRUE(server);
  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_TRUE(bob);
  auto attack = ConnectAndGreet(server->port());
  ASSERT_TRUE(attack);
  attack->Send(kBrowserPost);
  std::vector<std::string> answers;
  EXPECT_TRUE(attack->WaitClosed(&answers));
  EXPECT_TRUE(answers.empty()) << answers.front();
  EXPECT_TRUE(server->WaitForLog("possible SECURITY ATTACK detected"));
  // Bob saw no JOINED Mallory and no BCST: the next thing is his LIST.
  bob->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*bob, "LIST Bob"));
}

TEST(CrossProtocolTest, HostHeaderAloneIsEnough) {
  auto server = ServerProcess::Start();
  ASSERT_TRUE(server);
  auto attack = ConnectAndGreet(server->port());
  ASSERT_TRUE(attack);
  attack->Send("Host: 127.0.0.1\r\nJOIN Mallory\n");
  std::vector<std::string> answers;
  EXPECT_TRUE(attack->WaitClosed(&answers));
  EXPECT_TRUE(answers.empty()) << answers.front();
  EXPECT_TRUE(server->WaitForLog("cross-protocol"));
}

TEST(CrossProtocolTest, AfterRegisteringSuchALineIsAnUnknownMessage) {
  auto server = ServerProcess::Start();
  ASSERT_TRUE(server);
  auto alice = ConnectAndJoin(server->port(), "Alice");
  ASSERT_TRUE(alice);
  alice->SendLine("Host: example.org");
  EXPECT_TRUE(NextLineIs(*alice, "ERR Unknown Message: Host:"));
}

}  // namespace
}  // namespace chat::test
