// Connection: blocking-connect TCP client with bounded line reads.
#include "support/connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace chat::test {

std::unique_ptr<Connection> Connection::Open(uint16_t port,
                                             const std::string& host,
                                             const std::string& source) {
  sockaddr_storage address{};
  socklen_t length;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
  } else {
    return nullptr;
  }
  int fd = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  if (!source.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1 ||
        bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      close(fd);
      return nullptr;
    }
  }
  int r;
  do {
    r = connect(fd, reinterpret_cast<sockaddr*>(&address), length);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    close(fd);
    return nullptr;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return std::unique_ptr<Connection>(new Connection(fd));
}

Connection::~Connection() { Close(); }

void Connection::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void Connection::SetReceiveBuffer(int bytes) {
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

bool Connection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::optional<std::string> Connection::ReadLineBefore(
    std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() < 0) return std::nullopt;
  return reader_.ReadLine(left);
}

bool Connection::SkipUntil(std::string_view expected,
                           std::vector<std::string>* skipped,
                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto line = ReadLineBefore(deadline);
    if (!line) return false;
    if (*line == expected) return true;
    if (skipped) skipped->push_back(*line);
  }
}

bool Connection::WaitClosed(std::vector<std::string>* remaining,
                            std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto line = ReadLineBefore(deadline);
    if (line) {
      if (remaining) remaining->push_back(*line);
      continue;
    }
    return reader_.eof();
  }
}

std::unique_ptr<Connection> ConnectAndGreet(uint16_t port) {
  auto connection = Connection::Open(port);
  if (!connection) {
    ADD_FAILURE() << "cannot connect to port " << port;
    return nullptr;
  }
  auto hello = connection->ReadLine();
  if (!hello || hello->rfind("HELLO ", 0) != 0) {
    ADD_FAILURE() << "expected HELLO, got " << hello.value_or("<nothing>");
    return nullptr;
  }
  return connection;
}

std::unique_ptr<Connection> ConnectAndJoin(uint16_t port,
                                           std::string_view name) {
  auto connection = ConnectAndGreet(port);
  if (!connection) return nullptr;
  connection->SendLine("JOIN " + std::string(name));
  auto ok = connection->ReadLine();
  if (ok != "OK JOIN " + std::string(name)) {
    ADD_FAILURE() << "expected OK JOIN " << name << ", got "
                  << ok.value_or("<nothing>");
    return nullptr;
  }
  return connection;
}

}  // namespace chat::test
