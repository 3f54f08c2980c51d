// End-to-end tests of the TLS port: real ./server processes, a TLS client
// (transport::TlsClient over a socket) and plain TCP clients chatting, the
// certificate's life cycle, and workers killed or stalled mid-handshake.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "server/server_children.h"
#include "support/connection.h"
#include "support/server_process.h"
#include "transport/clients.h"

namespace chat::test {
namespace {

using std::chrono::milliseconds;

// A fresh directory for one test's data, removed at the end.
class DataDir {
 public:
  DataDir() {
    char pattern[] = "/tmp/chat-tls-test.XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~DataDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct TlsServer {
  DataDir dir;
  std::unique_ptr<ServerProcess> server;
  uint16_t tls_port = 0;
  std::string fingerprint;
};

std::unique_ptr<TlsServer> StartTlsServer(std::vector<std::string> extra = {}) {
  auto s = std::make_unique<TlsServer>();
  std::vector<std::string> args{"--tls-port", "0", "--data-dir", s->dir.path()};
  args.insert(args.end(), extra.begin(), extra.end());
  s->server = ServerProcess::Start(args);
  if (!s->server) return nullptr;
  s->tls_port = ListenerPort(*s->server, "(tls)");
  auto line = s->server->process().WaitForStdout("tls fingerprint ");
  if (s->tls_port == 0 || !line) {
    ADD_FAILURE() << "no (tls) listening line or fingerprint line";
    return nullptr;
  }
  s->fingerprint = line->substr(std::string("tls fingerprint ").size());
  return s;
}

// The worker that appears after `before`, within the timeout.
pid_t AwaitNewWorker(pid_t server, const std::vector<pid_t>& before) {
  auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (pid_t pid : WorkersOf(server)) {
      if (std::find(before.begin(), before.end(), pid) == before.end()) {
        return pid;
      }
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return -1;
}

TEST(TlsTest, TlsAndPlainClientsChatThroughOneServer) {
  auto s = StartTlsServer();
  ASSERT_TRUE(s);
  auto alice = TlsLineClient::Open(s->tls_port);
  ASSERT_TRUE(alice);
  auto hello = alice->ReadLine();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->rfind("HELLO ", 0), 0u);
  ASSERT_TRUE(alice->SendLine("JOIN alice"));
  ASSERT_EQ(alice->ReadLine(), "OK JOIN alice");
  // What the client saw is what the server printed.
  EXPECT_EQ(alice->tls().PeerFingerprint(), s->fingerprint);

  auto bob = ConnectAndJoin(s->server->port(), "bob");
  ASSERT_TRUE(bob);
  EXPECT_TRUE(alice->SkipUntil("JOINED bob"));

  ASSERT_TRUE(alice->SendLine("MESG bob hello over TLS"));
  EXPECT_TRUE(bob->SkipUntil("MESG alice hello over TLS"));
  EXPECT_TRUE(alice->SkipUntil("OK MESG bob"));
  ASSERT_TRUE(bob->SendLine("BCST plain to everyone"));
  EXPECT_TRUE(alice->SkipUntil("BCST bob plain to everyone"));
  ASSERT_TRUE(alice->SendLine("LIST"));
  EXPECT_TRUE(alice->SkipUntil("LIST alice,bob"));
  // Version 1 framing inside TLS: a CRLF line, an over-long line.
  ASSERT_TRUE(alice->SendLine("PING crlf\r"));
  EXPECT_TRUE(alice->SkipUntil("PONG crlf"));
  ASSERT_TRUE(alice->SendLine("BCST " + std::string(5000, 'x')));
  EXPECT_TRUE(alice->SkipUntil("ERR Line Too Long"));
  ASSERT_TRUE(alice->SendLine("QUIT"));
  EXPECT_TRUE(alice->SkipUntil("OK QUIT"));
  EXPECT_TRUE(bob->SkipUntil("LEFT alice"));
}

TEST(TlsTest, EveryWorkerDrawsItsOwnRandomNumbers) {
  // Workers are cloned from one process; GnuTLS must be reseeded in each.
  auto s = StartTlsServer();
  ASSERT_TRUE(s);
  auto first = TlsLineClient::Open(s->tls_port);
  auto second = TlsLineClient::Open(s->tls_port);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->tls().ServerRandom(), second->tls().ServerRandom());
  EXPECT_EQ(first->tls().ServerRandom().size(), 32u);
}

TEST(TlsTest, CertificateIsMadeOnceAndKeptInTheDataDirectory) {
  DataDir dir;
  std::string fingerprint;
  for (int start = 0; start < 2; ++start) {
    auto server =
        ServerProcess::Start({"--tls-port", "0", "--data-dir", dir.path()});
    ASSERT_TRUE(server);
    auto line = server->process().WaitForStdout("tls fingerprint SHA256:");
    ASSERT_TRUE(line);
    std::string now = line->substr(line->find("SHA256:"));
    EXPECT_EQ(now.size(), 7u + 64u);
    if (start == 0) fingerprint = now;
    EXPECT_EQ(now, fingerprint) << "a restart must keep the certificate";
  }
  struct stat key {};
  ASSERT_EQ(stat((dir.path() + "/tls-key.pem").c_str(), &key), 0);
  EXPECT_EQ(key.st_mode & 0777, 0600u);
  EXPECT_EQ(access((dir.path() + "/tls-cert.pem").c_str(), R_OK), 0);
}

TEST(TlsTest, EphemeralServerKeepsTheCertificateInMemoryOnly) {
  // --ephemeral has no data directory; "." would be the default one.
  auto server = ServerProcess::Start({"--tls-port", "0", "--ephemeral"});
  ASSERT_TRUE(server);
  ASSERT_TRUE(server->process().WaitForStdout("tls fingerprint SHA256:"));
  EXPECT_NE(access("tls-cert.pem", F_OK), 0);
  EXPECT_NE(access("tls-key.pem", F_OK), 0);
}

TEST(TlsTest, GivenCertificateAndKeyAreUsed) {
  DataDir made;
  {
    auto maker =
        ServerProcess::Start({"--tls-port", "0", "--data-dir", made.path()});
    ASSERT_TRUE(maker);
    ASSERT_TRUE(maker->process().WaitForStdout("tls fingerprint"));
  }
  auto s = StartTlsServer({"--tls-cert", made.path() + "/tls-cert.pem",
                           "--tls-key", made.path() + "/tls-key.pem"});
  ASSERT_TRUE(s);
  auto client = TlsLineClient::Open(s->tls_port);
  ASSERT_TRUE(client);
  EXPECT_EQ(client->tls().PeerFingerprint(), s->fingerprint);
  EXPECT_NE(access((s->dir.path() + "/tls-cert.pem").c_str(), F_OK), 0);
}

TEST(TlsTest, HandshakeThatNeverFinishesIsEndedByTheJoinTimeout) {
  auto s = StartTlsServer({"--join-timeout", "1"});
  ASSERT_TRUE(s);
  int fd = ConnectTcp(s->tls_port);
  ASSERT_GE(fd, 0);
  // Half a TLS record header, then silence.
  ASSERT_EQ(write(fd, "\x16\x03", 2), 2);
  auto started = std::chrono::steady_clock::now();
  char byte;
  pollfd waiter{fd, POLLIN, 0};
  ASSERT_EQ(poll(&waiter, 1, 5000), 1);
  EXPECT_LE(read(fd, &byte, 1), 0) << "closed without any plain-text line";
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, milliseconds(800));
  EXPECT_LT(took, milliseconds(4000));
  close(fd);
  EXPECT_TRUE(s->server->WaitForLog("(join timeout)"));
}

TEST(TlsTest, KilledWorkerMidHandshakeOrMidSessionHarmsNoOne) {
  auto s = StartTlsServer();
  ASSERT_TRUE(s);
  auto bob = ConnectAndJoin(s->server->port(), "bob");
  ASSERT_TRUE(bob);

  // Mid-handshake: a client that sent part of its hello.
  auto before = WorkersOf(s->server->pid());
  int fd = ConnectTcp(s->tls_port);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "\x16\x03\x01\x00", 4), 4);
  pid_t handshaking = AwaitNewWorker(s->server->pid(), before);
  ASSERT_GT(handshaking, 0);
  ASSERT_EQ(kill(handshaking, SIGKILL), 0);
  EXPECT_TRUE(WaitForPidGone(handshaking));
  EXPECT_TRUE(s->server->WaitForLog("killed by signal 9"));
  close(fd);

  // Mid-session: a TLS user.
  before = WorkersOf(s->server->pid());
  auto alice = TlsLineClient::Open(s->tls_port);
  ASSERT_TRUE(alice);
  pid_t worker = AwaitNewWorker(s->server->pid(), before);
  ASSERT_GT(worker, 0);
  ASSERT_TRUE(alice->SendLine("JOIN alice"));
  ASSERT_TRUE(alice->SkipUntil("OK JOIN alice"));
  EXPECT_TRUE(bob->SkipUntil("JOINED alice"));
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  EXPECT_TRUE(bob->SkipUntil("LEFT alice"));

  // Everyone else goes on, over both ways in.
  auto carol = TlsLineClient::Open(s->tls_port);
  ASSERT_TRUE(carol);
  ASSERT_TRUE(carol->SendLine("JOIN carol"));
  ASSERT_TRUE(carol->SkipUntil("OK JOIN carol"));
  ASSERT_TRUE(bob->SendLine("MESG carol still here"));
  EXPECT_TRUE(carol->SkipUntil("MESG bob still here"));
}

TEST(TlsTest, PlainTextOnTheTlsPortIsNotALine) {
  auto s = StartTlsServer();
  ASSERT_TRUE(s);
  auto eve = Connection::Open(s->tls_port);
  ASSERT_TRUE(eve);
  ASSERT_TRUE(eve->SendLine("JOIN eve"));
  EXPECT_TRUE(eve->WaitClosed());
  auto bob = ConnectAndJoin(s->server->port(), "bob");
  ASSERT_TRUE(bob);
  ASSERT_TRUE(bob->SendLine("LIST"));
  EXPECT_TRUE(bob->SkipUntil("LIST bob"));
}

TEST(TlsTest, TlsOptionsAreChecked) {
  auto only_cert = Subprocess::Start(
      ProgramPath("server"), {"0", "--tls-port", "0", "--tls-cert", "x.pem"});
  auto status = only_cert->Wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  auto missing = Subprocess::Start(
      ProgramPath("server"),
      {"0", "--tls-port", "0", "--tls-cert", "/nonexistent/c.pem", "--tls-key",
       "/nonexistent/k.pem"});
  auto line = missing->WaitForStderr("--tls-cert");
  EXPECT_TRUE(line);
  status = missing->Wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 1);
}

}  // namespace
}  // namespace chat::test
