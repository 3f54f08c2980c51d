// A password leaves no copy in any server process once its request is done:
// the memory of the broker, the store and the worker is read through
// /proc/PID/mem after REGISTER, LOGIN and PASSWORD, and searched for it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "server/server_children.h"
#include "store/store_fixture.h"

namespace chat::test {
namespace {

// Whether any readable mapping of `pid` holds `needle`; *scanned counts the
// bytes read, so that a test can tell a search from a failure to search.
bool MemoryHolds(pid_t pid, std::string_view needle, size_t* scanned) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  int mem = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
  if (mem < 0) return false;
  std::string line;
  std::vector<char> chunk;
  bool found = false;
  while (!found && std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    if (perms.empty() || perms[0] != 'r') continue;
    if (line.find("[vvar]") != std::string::npos) continue;
    size_t dash = range.find('-');
    uint64_t begin = std::stoull(range.substr(0, dash), nullptr, 16);
    uint64_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    // Reserved address space without data (a sanitizer's shadow, terabytes
    // long) holds no password; real mappings of a server are far smaller.
    if (end - begin > (uint64_t{1} << 30)) continue;
    // In pieces that overlap by the needle's length, so that a match across
    // two pieces is found too.
    constexpr uint64_t kPiece = 1 << 20;
    chunk.resize(kPiece);
    for (uint64_t at = begin; !found && at < end;
         at += kPiece - needle.size()) {
      ssize_t n = pread(mem, chunk.data(), std::min(kPiece, end - at), at);
      if (n <= 0) break;
      *scanned += n;
      found = std::string_view(chunk.data(), n).find(needle) !=
              std::string_view::npos;
      if (static_cast<uint64_t>(n) < kPiece) break;
    }
  }
  close(mem);
  return found;
}

// Every process of the server, the broker first.
std::vector<pid_t> ServerProcesses(pid_t broker) {
  std::vector<pid_t> all{broker};
  for (pid_t child : ChildrenOf(broker)) all.push_back(child);
  return all;
}

using PasswordMemoryTest = StoreTest;

TEST_F(PasswordMemoryTest, NoProcessKeepsAPasswordAfterItsRequest) {
  // Built at run time, so that the test binary is the only place the
  // whole words are written before the server reads them.
  const std::string first = std::string("first-Zq8w") + "-secret-Jx41";
  const std::string second = std::string("second-Pv3k") + "-secret-Hm27";
  // Lines before the password in the same write put it deep into the
  // worker's read buffer, past what the frames read after it overwrite.
  auto alice = ConnectAndGreet(port());
  ASSERT_NE(alice, nullptr);
  std::string batch;
  constexpr int kPings = 300;
  for (int i = 0; i < kPings; ++i) batch += "PING\n";
  ASSERT_TRUE(alice->Send(batch + "REGISTER Alice " + first + "\n"));
  for (int i = 0; i < kPings; ++i) ASSERT_TRUE(NextLineIs(*alice, "PONG"));
  ASSERT_TRUE(NextLineIs(*alice, "OK REGISTER Alice"));
  alice->SendLine("PASSWORD " + first + " " + second);
  ASSERT_TRUE(NextLineIs(*alice, "OK PASSWORD"));
  auto again = ConnectAndGreet(port());
  ASSERT_NE(again, nullptr);
  ASSERT_TRUE(again->Send(batch + "LOGIN Alice " + second + "\n"));
  for (int i = 0; i < kPings; ++i) ASSERT_TRUE(NextLineIs(*again, "PONG"));
  ASSERT_TRUE(NextLineIs(*again, "OK LOGIN Alice"));
  // The request is done once its answer was sent; the answer to a PING
  // after it proves the worker went on to read again.
  again->SendLine("PING");
  ASSERT_TRUE(NextLineIs(*again, "PONG"));

  std::vector<pid_t> processes = ServerProcesses(server_->pid());
  ASSERT_GE(processes.size(), 4u);  // broker, spawner, store, workers
  for (pid_t pid : processes) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    if (maps.peek() == std::ifstream::traits_type::eof()) {
      continue;  // a worker that has exited (the session LOGIN moved)
    }
    size_t scanned = 0;
    EXPECT_FALSE(MemoryHolds(pid, first, &scanned)) << "pid " << pid;
    EXPECT_FALSE(MemoryHolds(pid, second, &scanned)) << "pid " << pid;
    EXPECT_GT(scanned, 0u) << "could not read the memory of pid " << pid;
  }
}

}  // namespace
}  // namespace chat::test
