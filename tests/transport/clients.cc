// TlsLineClient and WebSocketClient: blocking sockets, bounded waits.
#include "transport/clients.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <random>

namespace chat::test {
namespace {

using Clock = std::chrono::steady_clock;

int MillisecondsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

bool WriteAllTo(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// One read with a deadline: bytes appended, false on close/timeout.
bool ReadSomeBefore(int fd, std::string* out, Clock::time_point deadline) {
  pollfd waiter{fd, POLLIN, 0};
  if (poll(&waiter, 1, MillisecondsLeft(deadline)) <= 0) return false;
  char chunk[16384];
  ssize_t n = read(fd, chunk, sizeof chunk);
  if (n <= 0) return false;
  out->append(chunk, static_cast<size_t>(n));
  return true;
}

}  // namespace

uint16_t ListenerPort(ServerProcess& server, std::string_view suffix) {
  auto line = server.process().WaitForStdout(suffix);
  if (!line) return 0;
  size_t space = line->rfind(' ');
  size_t colon = line->rfind(':', space);
  return static_cast<uint16_t>(
      std::stoi(line->substr(colon + 1, space - colon - 1)));
}

int ConnectTcp(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// --- TlsLineClient --------------------------------------------------------

std::unique_ptr<TlsLineClient> TlsLineClient::Open(uint16_t port) {
  std::unique_ptr<TlsLineClient> client(new TlsLineClient);
  client->fd_ = ConnectTcp(port);
  if (client->fd_ < 0) {
    ADD_FAILURE() << "cannot connect to TLS port " << port;
    return nullptr;
  }
  std::string error;
  int fd = client->fd_;
  client->tls_ = transport::TlsClient::Create(
      "localhost", [fd](std::string_view bytes) { WriteAllTo(fd, bytes); },
      &error);
  if (!client->tls_) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  client->tls_->Start(&error);
  auto deadline = Clock::now() + kEventTimeout;
  while (client->tls_->state() == transport::TlsClient::State::kHandshaking) {
    if (!client->Pump(deadline)) break;
  }
  if (client->tls_->state() != transport::TlsClient::State::kReady) {
    ADD_FAILURE() << "TLS handshake failed: " << error;
    return nullptr;
  }
  return client;
}

TlsLineClient::~TlsLineClient() {
  if (fd_ >= 0) close(fd_);
}

bool TlsLineClient::Pump(Clock::time_point deadline) {
  std::string cipher;
  if (!ReadSomeBefore(fd_, &cipher, deadline)) {
    closed_ = true;
    return false;
  }
  std::string error;
  auto state = tls_->Feed(cipher, &plain_, &error);
  if (state == transport::TlsClient::State::kClosed ||
      state == transport::TlsClient::State::kFailed) {
    closed_ = true;
  }
  return true;
}

bool TlsLineClient::SendLine(std::string_view line) {
  std::string error;
  return tls_->Write(std::string(line) + "\n", &error);
}

std::optional<std::string> TlsLineClient::ReadLine(
    std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    size_t lf = plain_.find('\n');
    if (lf != std::string::npos) {
      std::string line = plain_.substr(0, lf);
      plain_.erase(0, lf + 1);
      return line;
    }
    if (closed_ || Clock::now() >= deadline || !Pump(deadline)) {
      return std::nullopt;
    }
  }
}

bool TlsLineClient::SkipUntil(std::string_view expected,
                              std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto line = ReadLine(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now()));
    if (!line) return false;
    if (*line == expected) return true;
  }
  return false;
}

// --- WebSocketClient ------------------------------------------------------

std::unique_ptr<WebSocketClient> WebSocketClient::Open(
    uint16_t port, const std::string& origin, const std::string& path,
    const std::string& extra) {
  std::unique_ptr<WebSocketClient> client(new WebSocketClient);
  client->fd_ = ConnectTcp(port);
  if (client->fd_ < 0) {
    ADD_FAILURE() << "cannot connect to web port " << port;
    return nullptr;
  }
  std::string request = "GET " + path +
                        " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n" +
                        extra;
  if (!origin.empty()) request += "Origin: " + origin + "\r\n";
  request += "\r\n";
  WriteAllTo(client->fd_, request);
  auto deadline = Clock::now() + kEventTimeout;
  size_t end;
  while ((end = client->buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!ReadSomeBefore(client->fd_, &client->buffer_, deadline)) {
      ADD_FAILURE() << "no HTTP response from the web port";
      return nullptr;
    }
  }
  client->head_ = client->buffer_.substr(0, end + 4);
  client->buffer_.erase(0, end + 4);
  if (client->head_.size() > 12) {
    client->status_ = std::stoi(client->head_.substr(9, 3));
  }
  return client;
}

WebSocketClient::~WebSocketClient() {
  if (fd_ >= 0) close(fd_);
}

bool WebSocketClient::SendRaw(std::string_view bytes) {
  return WriteAllTo(fd_, bytes);
}

bool WebSocketClient::SendFrame(uint8_t opcode, std::string_view payload,
                                bool fin, bool mask) {
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
  static std::mt19937 random(12345);
  char key[4];
  for (char& k : key) k = static_cast<char>(random());
  if (mask) frame.append(key, 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    frame += mask ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  }
  return WriteAllTo(fd_, frame);
}

bool WebSocketClient::Fill(Clock::time_point deadline) {
  return ReadSomeBefore(fd_, &buffer_, deadline);
}

std::optional<WebSocketClient::Message> WebSocketClient::Read(
    std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  Message message;
  bool started = false;
  for (;;) {
    // One whole frame in the buffer?
    while (buffer_.size() >= 2) {
      auto byte = [&](size_t i) { return static_cast<uint8_t>(buffer_[i]); };
      bool fin = byte(0) & 0x80;
      uint8_t opcode = byte(0) & 0x0F;
      uint64_t length = byte(1) & 0x7F;
      size_t header = 2;
      if (length == 126) {
        if (buffer_.size() < 4) break;
        length = (uint64_t{byte(2)} << 8) | byte(3);
        header = 4;
      } else if (length == 127) {
        if (buffer_.size() < 10) break;
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | byte(2 + i);
        header = 10;
      }
      if (buffer_.size() < header + length) break;
      std::string payload = buffer_.substr(header, length);
      buffer_.erase(0, header + length);
      if (opcode >= 0x8) return Message{opcode, payload};
      if (!started) {
        message.opcode = opcode;
        started = true;
      }
      message.payload += payload;
      if (fin) return message;
    }
    if (!Fill(deadline)) return std::nullopt;
  }
}

std::optional<std::string> WebSocketClient::ReadText(
    std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto message = Read(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now()));
    if (!message) return std::nullopt;
    if (message->opcode == 0x1) return message->payload;
    if (message->opcode == 0x8) return std::nullopt;
  }
  return std::nullopt;
}

bool WebSocketClient::SkipUntilText(std::string_view expected,
                                    std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto text = ReadText(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now()));
    if (!text) return false;
    if (*text == expected) return true;
  }
  return false;
}

bool WebSocketClient::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    pollfd waiter{fd_, POLLIN, 0};
    if (poll(&waiter, 1, MillisecondsLeft(deadline)) <= 0) return false;
    char chunk[4096];
    ssize_t n = read(fd_, chunk, sizeof chunk);
    if (n <= 0) return true;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace chat::test
