// The client's --tls against a real server's TLS port: trust on first use
// (known_servers), a changed certificate refused with both fingerprints, and
// --fingerprint pinning.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "client/client_process.h"
#include "support/connection.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/chat-client-tls.XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start(
        {"--tls-port", "0", "--data-dir", server_dir_.path()});
    ASSERT_TRUE(server_);
    auto line = server_->process().WaitForStdout("(tls)");
    ASSERT_TRUE(line);
    size_t space = line->rfind(' ');
    size_t colon = line->rfind(':', space);
    tls_port_ = static_cast<uint16_t>(
        std::stoi(line->substr(colon + 1, space - colon - 1)));
    auto print = server_->process().WaitForStdout("tls fingerprint ");
    ASSERT_TRUE(print);
    fingerprint_ = print->substr(print->find("SHA256:"));
  }

  // Runs `client --tls ... 127.0.0.1 TLS_PORT` with `input`; its exit code,
  // stdout and stderr.
  int RunClient(const std::vector<std::string>& args, const std::string& input,
                std::string* out, std::string* err) {
    Subprocess::Options options;
    options.env = {"XDG_DATA_HOME=" + client_dir_.path()};
    auto client = StartClient(tls_port_, args, options);
    client->WriteStdin(input);
    client->CloseStdin();
    for (const std::string& line : ReadAllLines(*client)) *out += line + "\n";
    client->err().ReadToEof(err);
    return ExitCode(*client);
  }

  std::string KnownServers() {
    std::ifstream in(client_dir_.path() + "/chat-client/known_servers");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  TempDir server_dir_;
  TempDir client_dir_;
  std::unique_ptr<ServerProcess> server_;
  uint16_t tls_port_ = 0;
  std::string fingerprint_;
};

TEST_F(ClientTlsTest, FirstUseIsTrustedAndRememberedThenAccepted) {
  auto bob = ConnectAndJoin(server_->port(), "Bob");
  ASSERT_TRUE(bob);
  std::string out, err;
  EXPECT_EQ(
      RunClient({"--tls", "--user", "Alice"}, "Bob:over tls\n", &out, &err), 0)
      << out << err;
  EXPECT_NE(err.find(fingerprint_), std::string::npos) << err;
  EXPECT_NE(err.find("Trusting it"), std::string::npos) << err;
  EXPECT_TRUE(bob->SkipUntil("MESG Alice over tls"));
  EXPECT_EQ(KnownServers(), "127.0.0.1 " + std::to_string(tls_port_) + " " +
                                fingerprint_ + "\n");

  out.clear();
  err.clear();
  EXPECT_EQ(RunClient({"--tls", "--user", "Alice"}, "LIST\n", &out, &err), 0)
      << err;
  EXPECT_EQ(err.find("Trusting"), std::string::npos) << err;
  EXPECT_NE(out.find("Alice"), std::string::npos) << out;
}

TEST_F(ClientTlsTest, ChangedCertificateIsRefusedShowingBothFingerprints) {
  std::string remembered = "SHA256:" + std::string(64, 'a');
  ASSERT_EQ(system(("mkdir -p " + client_dir_.path() + "/chat-client").c_str()),
            0);
  std::ofstream(client_dir_.path() + "/chat-client/known_servers")
      << "127.0.0.1 " << tls_port_ << " " << remembered << "\n";
  auto bob = ConnectAndJoin(server_->port(), "Bob");
  ASSERT_TRUE(bob);
  std::string out, err;
  EXPECT_EQ(RunClient({"--tls", "--user", "Alice"}, "Bob:should not arrive\n",
                      &out, &err),
            3);
  EXPECT_NE(err.find("CHANGED"), std::string::npos) << err;
  EXPECT_NE(err.find(remembered), std::string::npos) << err;
  EXPECT_NE(err.find(fingerprint_), std::string::npos) << err;
  // Nothing was sent: Alice never joined.
  ASSERT_TRUE(bob->SendLine("LIST"));
  EXPECT_TRUE(bob->SkipUntil("LIST Bob"));
}

TEST_F(ClientTlsTest, FingerprintPinsTheCertificate) {
  std::string out, err;
  EXPECT_EQ(RunClient({"--fingerprint", fingerprint_, "--user", "Alice"},
                      "LIST\n", &out, &err),
            0)
      << err;
  EXPECT_EQ(KnownServers(), "") << "a pinned server is not remembered";
  out.clear();
  err.clear();
  EXPECT_EQ(RunClient({"--fingerprint", "SHA256:" + std::string(64, '0'),
                       "--user", "Alice"},
                      "LIST\n", &out, &err),
            3);
  EXPECT_NE(err.find("does not match --fingerprint"), std::string::npos) << err;
  out.clear();
  err.clear();
  EXPECT_EQ(RunClient({"--fingerprint", "SHA256:xyz"}, "", &out, &err), 2);
}

TEST_F(ClientTlsTest, TlsClientOnThePlainPortFailsClearly) {
  Subprocess::Options options;
  options.env = {"XDG_DATA_HOME=" + client_dir_.path()};
  auto client =
      StartClient(server_->port(), {"--tls", "--user", "Alice"}, options);
  client->CloseStdin();
  std::string err;
  client->err().ReadToEof(&err);
  EXPECT_EQ(ExitCode(*client), 3);
  EXPECT_NE(err.find("TLS handshake"), std::string::npos) << err;
}

}  // namespace
}  // namespace chat::test
