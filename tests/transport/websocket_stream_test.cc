// Unit tests of the web port's transport over a socketpair: the HTTP
// opening, frames arriving in pieces, fragmentation, control frames, close
// codes, and how messages become lines for the session.
#include "transport/websocket_stream.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "transport/http_request.h"
#include "transport/plain_stream.h"

namespace chat::transport {
namespace {

std::string Frame(uint8_t opcode, std::string_view payload, bool fin = true,
                  bool mask = true) {
  std::string frame;
  frame += static_cast<char>((fin ? 0x80 : 0) | opcode);
  uint8_t mask_bit = mask ? 0x80 : 0;
  if (payload.size() < 126) {
    frame += static_cast<char>(mask_bit | payload.size());
  } else if (payload.size() < 65536) {
    frame += static_cast<char>(mask_bit | 126);
    frame += static_cast<char>(payload.size() >> 8);
    frame += static_cast<char>(payload.size() & 0xFF);
  } else {
    frame += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame += static_cast<char>((uint64_t{payload.size()} >> shift) & 0xFF);
    }
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (mask) frame.append(key, 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    frame += mask ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  }
  return frame;
}

class WebSocketStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    server_fd_ = fds[0];
    peer_ = fds[1];
    config_.page = "<!doctype html>page";
    stream_ = std::make_unique<WebSocketStream>(
        std::make_unique<PlainStream>(server_fd_), config_);
  }
  void TearDown() override {
    stream_.reset();
    close(server_fd_);
    close(peer_);
  }

  void PeerSends(std::string_view bytes) {
    ASSERT_EQ(write(peer_, bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }
  std::string PeerReceives() {
    std::string all;
    char chunk[65536];
    ssize_t n;
    while ((n = recv(peer_, chunk, sizeof chunk, MSG_DONTWAIT)) > 0) {
      all.append(chunk, static_cast<size_t>(n));
    }
    return all;
  }
  // Completes the upgrade; the 101 response.
  std::string Upgrade() {
    PeerSends(
        "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
        "Connection: keep-alive, Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n");
    Result opened = stream_->Open();
    EXPECT_EQ(opened.status, Status::kOk);
    EXPECT_TRUE(stream_->established());
    return PeerReceives();
  }
  // Everything Read gives until it would block.
  std::string ReadAll(Status* last = nullptr) {
    std::string all;
    char buffer[1000];
    for (int i = 0; i < 100000; ++i) {
      Result r = stream_->Read(buffer, sizeof buffer);
      if (r.status != Status::kOk) {
        if (last) *last = r.status;
        break;
      }
      all.append(buffer, r.bytes);
    }
    return all;
  }
  // The close code of the close frame the peer received, or -1.
  int PeerCloseCode() {
    std::string bytes = PeerReceives();
    for (size_t i = 0; i + 4 <= bytes.size();) {
      uint8_t opcode = bytes[i] & 0x0F;
      size_t length = static_cast<uint8_t>(bytes[i + 1]) & 0x7F;
      if (opcode == 0x8 && length >= 2) {
        return (static_cast<uint8_t>(bytes[i + 2]) << 8) |
               static_cast<uint8_t>(bytes[i + 3]);
      }
      i += 2 + length;
    }
    return -1;
  }

  int server_fd_ = -1;
  int peer_ = -1;
  WebConfig config_;
  std::unique_ptr<WebSocketStream> stream_;
};

TEST_F(WebSocketStreamTest, UpgradeAnswersWithTheRfcAcceptKey) {
  std::string response = Upgrade();
  EXPECT_EQ(response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            std::string::npos);
  EXPECT_EQ(response.find("Sec-WebSocket-Protocol"), std::string::npos);
}

TEST_F(WebSocketStreamTest, RequestHeadInSingleBytesAndFramesInSingleBytes) {
  std::string head =
      "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  for (char c : head) {
    EXPECT_FALSE(stream_->established());
    PeerSends(std::string_view(&c, 1));
    stream_->Open();
  }
  ASSERT_TRUE(stream_->established());
  PeerReceives();
  std::string frame = Frame(0x1, "JOIN alice");
  std::string got;
  for (char c : frame) {
    PeerSends(std::string_view(&c, 1));
    got += ReadAll();
  }
  EXPECT_EQ(got, "JOIN alice\n");
}

TEST_F(WebSocketStreamTest, BytesAfterTheHeadAreTheFirstFrames) {
  PeerSends(
      "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n" +
      Frame(0x1, "PING early"));
  ASSERT_EQ(stream_->Open().status, Status::kOk);
  EXPECT_EQ(ReadAll(), "PING early\n");
}

TEST_F(WebSocketStreamTest, FragmentsJoinAndPingsAreAnsweredBetweenThem) {
  Upgrade();
  PeerSends(Frame(0x1, "BCST one ", false) + Frame(0x9, "p") +
            Frame(0x0, "two ", false) + Frame(0x0, "three", true));
  EXPECT_EQ(ReadAll(), "BCST one two three\n");
  stream_->Flush();
  std::string pong = PeerReceives();
  EXPECT_EQ(pong, std::string("\x8a\x01p", 3));
}

TEST_F(WebSocketStreamTest, LongMessagesPassWholeForTheSessionToJudge) {
  Upgrade();
  std::string big(70000, 'x');
  PeerSends(Frame(0x1, big));
  std::string got = ReadAll();
  EXPECT_EQ(got.size(), big.size() + 1);
  EXPECT_EQ(got.back(), '\n');
  // Bad UTF-8 is passed on as is (ERR Invalid Text comes from the session);
  // a line break inside a message becomes a control byte, not two lines.
  PeerSends(Frame(0x1, "BCST \xff") + Frame(0x1, "a\nb\rc"));
  EXPECT_EQ(ReadAll(),
            "BCST \xff\na\x1a"
            "b\x1a"
            "c\n");
}

TEST_F(WebSocketStreamTest, WritesOneTextFramePerWholeLine) {
  Upgrade();
  Result r = stream_->Write("OK JOIN a\nLIST a,b\npartial");
  ASSERT_EQ(r.status, Status::kOk);
  EXPECT_EQ(r.bytes, std::string("OK JOIN a\nLIST a,b\n").size());
  EXPECT_EQ(PeerReceives(), std::string("\x81\x09OK JOIN a\x81\x08LIST a,b"));
  EXPECT_EQ(stream_->Write("partial").status, Status::kWouldBlock);
  std::string big(300, 'y');
  ASSERT_EQ(stream_->Write(big + "\n").bytes, 301u);
  std::string frame = PeerReceives();
  EXPECT_EQ(frame.substr(0, 4), std::string("\x81\x7e\x01\x2c", 4));
  EXPECT_EQ(frame.size(), 4u + 300u);
}

TEST_F(WebSocketStreamTest, ProtocolViolationsCloseWithTheirCodes) {
  struct Case {
    std::string frames;
    int code;
  };
  const Case cases[] = {
      {Frame(0x2, "bin"), 1003},
      {Frame(0x1, "unmasked", true, false), 1002},
      {Frame(0x0, "no start"), 1002},
      {Frame(0x1, "a", false) + Frame(0x1, "b"), 1002},
      {Frame(0x3, "reserved"), 1002},
      {Frame(0x9, std::string(126, 'p')), 1002},
  };
  for (const Case& c : cases) {
    TearDown();
    SetUp();
    Upgrade();
    PeerSends(c.frames);
    Status last = Status::kOk;
    ReadAll(&last);
    EXPECT_EQ(last, Status::kClosed);
    EXPECT_EQ(PeerCloseCode(), c.code);
  }
}

TEST_F(WebSocketStreamTest, CloseFromThePeerIsEchoed) {
  Upgrade();
  PeerSends(Frame(0x1, "QUIT") + Frame(0x8, std::string("\x03\xe9", 2)));
  Status last = Status::kOk;
  EXPECT_EQ(ReadAll(&last), "QUIT\n");
  EXPECT_EQ(last, Status::kClosed);
  EXPECT_EQ(PeerCloseCode(), 1001);
}

TEST_F(WebSocketStreamTest, CloseFromTheServerSaysWhy) {
  Upgrade();
  stream_->Close(CloseReason::kGoingAway);
  EXPECT_EQ(PeerCloseCode(), 1001);
}

TEST(HttpRequestHeadTest, ParsesInPiecesAndKeepsTheFieldsItNeeds) {
  HttpRequestHead head;
  std::string text =
      "GET /chat?x=1 HTTP/1.1\r\nhost: example.org:8080\r\n"
      "ORIGIN: https://example.org:8080\r\nSec-WebSocket-Protocol: a,\r\n"
      "Sec-WebSocket-Protocol: text.chat-server\r\n\r\nrest";
  size_t used = 0;
  HttpRequestHead::State state = HttpRequestHead::State::kNeedMore;
  size_t offset = 0;
  for (; offset < text.size() && state == HttpRequestHead::State::kNeedMore;
       ++offset) {
    state = head.Feed(std::string_view(text).substr(offset, 1), &used);
  }
  ASSERT_EQ(state, HttpRequestHead::State::kComplete);
  EXPECT_EQ(head.method(), "GET");
  EXPECT_EQ(head.path(), "/chat");
  EXPECT_EQ(head.host(), "example.org:8080");
  EXPECT_TRUE(head.has_origin());
  EXPECT_EQ(head.origin(), "https://example.org:8080");
  EXPECT_TRUE(HeaderHasToken(head.websocket_protocols(), "text.chat-server"));
  EXPECT_FALSE(HeaderHasToken(head.websocket_protocols(), "text"));
}

TEST(HttpRequestHeadTest, RefusesOversizedAndMalformedHeads) {
  HttpRequestHead big;
  size_t used = 0;
  std::string huge = "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a');
  EXPECT_EQ(big.Feed(huge, &used), HttpRequestHead::State::kTooLarge);
  HttpRequestHead bad;
  EXPECT_EQ(bad.Feed("\x16\x03\x01 not http\r\n\r\n", &used),
            HttpRequestHead::State::kMalformed);
}

}  // namespace
}  // namespace chat::transport
