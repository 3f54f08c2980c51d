// Unit tests of the server's TLS stream against the client's, in one
// process over a socketpair: records split into single bytes, lines larger
// than a record, and the certificate the client sees.
#include "transport/tls_stream.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/tls_client.h"
#include "transport/tls_credentials.h"

namespace chat::transport {
namespace {

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bool created = false;
    std::string error;
    credentials_ =
        TlsCredentials::SelfSigned("", "test.example", &created, &error);
    ASSERT_TRUE(credentials_) << error;
    EXPECT_TRUE(created);
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    server_fd_ = fds[0];
    peer_ = fds[1];
    const char* what = nullptr;
    server_ = TlsStream::Server(server_fd_, *credentials_, &what);
    ASSERT_TRUE(server_) << what;
    client_ = TlsClient::Create(
        "test.example",
        [this](std::string_view bytes) { to_server_.append(bytes); }, &error);
    ASSERT_TRUE(client_) << error;
  }
  void TearDown() override {
    server_.reset();
    close(server_fd_);
    close(peer_);
  }

  // Moves the client's bytes to the server `step` bytes at a time, and the
  // server's to the client, until both are quiet.
  void Pump(size_t step, std::string* plain) {
    for (int round = 0; round < 100000; ++round) {
      bool moved = false;
      if (!to_server_.empty()) {
        size_t n = std::min(step, to_server_.size());
        ASSERT_EQ(write(peer_, to_server_.data(), n), static_cast<ssize_t>(n));
        to_server_.erase(0, n);
        moved = true;
      }
      if (!server_->established()) server_->Open();
      char buffer[65536];
      ssize_t n = recv(peer_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) {
        std::string error;
        client_->Feed(std::string_view(buffer, static_cast<size_t>(n)), plain,
                      &error);
        moved = true;
      }
      if (!moved) return;
    }
  }

  std::unique_ptr<TlsCredentials> credentials_;
  int server_fd_ = -1;
  int peer_ = -1;
  std::unique_ptr<TlsStream> server_;
  std::unique_ptr<TlsClient> client_;
  std::string to_server_;
};

TEST_F(TlsStreamTest, HandshakeAndRecordsArrivingOneByteAtATime) {
  std::string error;
  client_->Start(&error);
  std::string plain;
  Pump(1, &plain);
  ASSERT_TRUE(server_->established());
  ASSERT_EQ(client_->state(), TlsClient::State::kReady);
  EXPECT_EQ(client_->PeerFingerprint(), credentials_->fingerprint());
  std::string why;
  EXPECT_FALSE(client_->SystemTrusted(&why)) << "self-signed";

  ASSERT_TRUE(client_->Write("JOIN alice\nLIST\n", &error));
  std::string got;
  char buffer[4096];
  for (char c : to_server_) {
    ASSERT_EQ(write(peer_, &c, 1), 1);
    Result r = server_->Read(buffer, sizeof buffer);
    if (r.status == Status::kOk) got.append(buffer, r.bytes);
  }
  to_server_.clear();
  EXPECT_EQ(got, "JOIN alice\nLIST\n");
}

TEST_F(TlsStreamTest, OutputLargerThanARecordIsSentInPieces) {
  std::string error;
  client_->Start(&error);
  std::string plain;
  Pump(4096, &plain);
  ASSERT_TRUE(server_->established());
  std::string lines;
  for (int i = 0; i < 1000; ++i)
    lines += "BCST bob " + std::string(60, 'z') + "\n";
  size_t sent = 0;
  for (int i = 0; i < 10000 && sent < lines.size(); ++i) {
    if (server_->has_pending_output()) server_->Flush();
    Result r = server_->Write(std::string_view(lines).substr(sent));
    if (r.status == Status::kOk) sent += r.bytes;
    Pump(65536, &plain);
  }
  for (int i = 0; i < 100 && server_->has_pending_output(); ++i) {
    server_->Flush();
    Pump(65536, &plain);
  }
  EXPECT_EQ(sent, lines.size());
  EXPECT_EQ(plain, lines);
}

TEST_F(TlsStreamTest, GarbageInsteadOfAHandshakeFails) {
  ASSERT_EQ(write(peer_, "JOIN eve\n", 9), 9);
  Result r = server_->Open();
  EXPECT_NE(r.status, Status::kOk);
  EXPECT_NE(r.status, Status::kWouldBlock);
  EXPECT_NE(r.what, nullptr);
}

}  // namespace
}  // namespace chat::transport
