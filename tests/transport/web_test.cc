// End-to-end tests of the web port: the page, WebSocket clients chatting
// with plain TCP clients, the Origin allow-list, and bad requests.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include "support/connection.h"
#include "support/server_process.h"
#include "transport/clients.h"

namespace chat::test {
namespace {

struct WebServer {
  std::unique_ptr<ServerProcess> server;
  uint16_t web_port = 0;
};

WebServer StartWebServer(std::vector<std::string> extra = {}) {
  WebServer s;
  std::vector<std::string> args{"--web-port", "0", "--ephemeral"};
  args.insert(args.end(), extra.begin(), extra.end());
  s.server = ServerProcess::Start(args);
  if (s.server) s.web_port = ListenerPort(*s.server, "(web)");
  return s;
}

// A plain HTTP request; the whole response.
std::string HttpGet(uint16_t port, const std::string& request) {
  int fd = ConnectTcp(port);
  if (fd < 0) return {};
  (void)!write(fd, request.data(), request.size());
  std::string response;
  char chunk[8192];
  for (int i = 0; i < 1000; ++i) {
    pollfd waiter{fd, POLLIN, 0};
    if (poll(&waiter, 1, 5000) <= 0) break;
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    response.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  return response;
}

TEST(WebTest, ServesTheWebPageAtTheRoot) {
  auto s = StartWebServer();
  ASSERT_TRUE(s.server);
  std::string response =
      HttpGet(s.web_port, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("Content-Type: text/html; charset=utf-8"),
            std::string::npos);
  EXPECT_NE(response.find("Content-Security-Policy:"), std::string::npos);
  EXPECT_NE(response.find("<!doctype html>"), std::string::npos);
  // No external resources: nothing is loaded from another address.
  EXPECT_EQ(response.find("src=\"http"), std::string::npos);
  EXPECT_EQ(response.find("href=\"http"), std::string::npos);

  EXPECT_EQ(HttpGet(s.web_port, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
                .rfind("HTTP/1.1 404", 0),
            0u);
  EXPECT_EQ(HttpGet(s.web_port,
                    "POST / HTTP/1.1\r\nHost: x\r\n"
                    "Content-Length: 0\r\n\r\n")
                .rfind("HTTP/1.1 405", 0),
            0u);
  EXPECT_EQ(HttpGet(s.web_port, "GET /chat HTTP/1.1\r\nHost: x\r\n\r\n")
                .rfind("HTTP/1.1 426", 0),
            0u);
  EXPECT_EQ(
      HttpGet(s.web_port, "NOT HTTP AT ALL\r\n\r\n").rfind("HTTP/1.1 400", 0),
      0u);
  std::string huge =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
      "\r\n\r\n";
  EXPECT_EQ(HttpGet(s.web_port, huge).rfind("HTTP/1.1 431", 0), 0u);
}

TEST(WebTest, WebSocketAndPlainClientsChat) {
  auto s = StartWebServer();
  ASSERT_TRUE(s.server);
  auto web = WebSocketClient::Open(
      s.web_port, "http://127.0.0.1:" + std::to_string(s.web_port), "/chat",
      "Sec-WebSocket-Protocol: other, text.chat-server\r\n");
  ASSERT_TRUE(web);
  ASSERT_EQ(web->status(), 101) << web->response_head();
  EXPECT_NE(web->response_head().find(
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            std::string::npos);
  EXPECT_NE(
      web->response_head().find("Sec-WebSocket-Protocol: text.chat-server"),
      std::string::npos);
  auto hello = web->ReadText();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->rfind("HELLO ", 0), 0u);

  ASSERT_TRUE(web->SendText("JOIN alice"));
  ASSERT_EQ(web->ReadText(), "OK JOIN alice");
  auto bob = ConnectAndJoin(s.server->port(), "bob");
  ASSERT_TRUE(bob);
  EXPECT_TRUE(web->SkipUntilText("JOINED bob"));

  ASSERT_TRUE(web->SendText("MESG bob hi from the browser"));
  EXPECT_TRUE(bob->SkipUntil("MESG alice hi from the browser"));
  EXPECT_TRUE(web->SkipUntilText("OK MESG bob"));
  ASSERT_TRUE(bob->SendLine("BCST héllo <b>all</b>"));
  EXPECT_TRUE(web->SkipUntilText("BCST bob héllo <b>all</b>"));

  // A message in fragments, with a ping in between.
  ASSERT_TRUE(web->SendFrame(0x1, "MESG bob fr", /*fin=*/false));
  ASSERT_TRUE(web->SendFrame(0x9, "are you there"));
  auto pong = web->Read();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, 0xA);
  EXPECT_EQ(pong->payload, "are you there");
  ASSERT_TRUE(web->SendFrame(0x0, "agmented", /*fin=*/true));
  EXPECT_TRUE(bob->SkipUntil("MESG alice fragmented"));

  // The protocol's limits, as on the plain port.
  ASSERT_TRUE(web->SendText("BCST " + std::string(5000, 'x')));
  EXPECT_TRUE(web->SkipUntilText("ERR Line Too Long"));
  ASSERT_TRUE(web->SendText("BCST bad \xff\xfe utf-8"));
  EXPECT_TRUE(web->SkipUntilText("ERR Invalid Text"));
  ASSERT_TRUE(web->SendText("BCST two\nlines"));
  EXPECT_TRUE(web->SkipUntilText("ERR Invalid Text"));
  ASSERT_TRUE(web->SendText("PING still"));
  EXPECT_TRUE(web->SkipUntilText("PONG still"));

  ASSERT_TRUE(web->SendText("QUIT"));
  EXPECT_TRUE(web->SkipUntilText("OK QUIT"));
  EXPECT_TRUE(bob->SkipUntil("LEFT alice"));
}

TEST(WebTest, WrongOriginIsRefusedWith403AndAllowedOnesPass) {
  auto s = StartWebServer({"--web-origin", "https://chat.example.org"});
  ASSERT_TRUE(s.server);
  auto evil = WebSocketClient::Open(s.web_port, "http://evil.example");
  ASSERT_TRUE(evil);
  EXPECT_EQ(evil->status(), 403);
  EXPECT_TRUE(evil->WaitClosed());
  auto null_origin = WebSocketClient::Open(s.web_port, "null");
  ASSERT_TRUE(null_origin);
  EXPECT_EQ(null_origin->status(), 403);

  auto allowed = WebSocketClient::Open(s.web_port, "https://CHAT.example.org");
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status(), 101);
  auto no_origin = WebSocketClient::Open(s.web_port);  // not a browser
  ASSERT_TRUE(no_origin);
  EXPECT_EQ(no_origin->status(), 101);
  EXPECT_TRUE(no_origin->ReadText());
  EXPECT_TRUE(s.server->WaitForLog("Origin not allowed (403)"));
}

TEST(WebTest, BinaryOrUnmaskedFramesCloseTheConnection) {
  auto s = StartWebServer();
  ASSERT_TRUE(s.server);
  auto bob = ConnectAndJoin(s.server->port(), "bob");
  ASSERT_TRUE(bob);

  auto binary = WebSocketClient::Open(s.web_port);
  ASSERT_TRUE(binary && binary->status() == 101);
  ASSERT_TRUE(binary->ReadText());
  ASSERT_TRUE(binary->SendText("JOIN carl"));
  ASSERT_EQ(binary->ReadText(), "OK JOIN carl");
  ASSERT_TRUE(binary->SendFrame(0x2, "\x01\x02"));
  std::optional<WebSocketClient::Message> close;
  for (int i = 0; i < 10; ++i) {
    close = binary->Read();
    if (!close || close->opcode == 0x8) break;
  }
  ASSERT_TRUE(close);
  ASSERT_EQ(close->opcode, 0x8);
  ASSERT_GE(close->payload.size(), 2u);
  EXPECT_EQ((uint8_t(close->payload[0]) << 8) | uint8_t(close->payload[1]),
            1003);
  EXPECT_TRUE(binary->WaitClosed());
  EXPECT_TRUE(bob->SkipUntil("LEFT carl"));

  auto unmasked = WebSocketClient::Open(s.web_port);
  ASSERT_TRUE(unmasked && unmasked->status() == 101);
  ASSERT_TRUE(unmasked->SendFrame(0x1, "JOIN dave", true, /*mask=*/false));
  EXPECT_TRUE(unmasked->WaitClosed());

  // A close from the client is answered with a close.
  auto polite = WebSocketClient::Open(s.web_port);
  ASSERT_TRUE(polite && polite->status() == 101);
  ASSERT_TRUE(polite->SendFrame(0x8, std::string("\x03\xe8", 2)));
  for (int i = 0; i < 10; ++i) {
    close = polite->Read();
    if (!close || close->opcode == 0x8) break;
  }
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 0x8);
  EXPECT_TRUE(polite->WaitClosed());
}

TEST(WebTest, SlowHandshakeIsEndedByTheJoinTimeout) {
  auto s = StartWebServer({"--join-timeout", "1"});
  ASSERT_TRUE(s.server);
  int fd = ConnectTcp(s.web_port);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "GET /chat HTTP/1.1\r\nHost:", 25), 25);
  pollfd waiter{fd, POLLIN, 0};
  ASSERT_EQ(poll(&waiter, 1, 5000), 1);
  char byte;
  EXPECT_LE(read(fd, &byte, 1), 0);
  close(fd);
}

TEST(WebTest, WebSocketOverTls) {
  auto server = ServerProcess::Start(
      {"--web-tls-port", "0", "--ephemeral", "--join-timeout", "5"});
  ASSERT_TRUE(server);
  uint16_t port = ListenerPort(*server, "(web-tls)");
  ASSERT_NE(port, 0);
  auto tls = TlsLineClient::Open(port);
  ASSERT_TRUE(tls);
  // The HTTP request inside TLS, by hand: the page is served over https.
  std::string error;
  ASSERT_TRUE(
      tls->tls().Write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", &error));
  auto status = tls->ReadLine();
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, "HTTP/1.1 200 OK\r");
}

}  // namespace
}  // namespace chat::test
