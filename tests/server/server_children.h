// The server's children split into its spawner, its store and its workers.
// The spawner is the broker's first child (forked at start-up), and /proc
// lists a process's children in the order they were created; the store
// process names itself "chat-store".
#ifndef CHAT_TESTS_SERVER_SERVER_CHILDREN_H_
#define CHAT_TESTS_SERVER_SERVER_CHILDREN_H_

#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "support/line_reader.h"
#include "support/subprocess.h"

namespace chat::test {

// The spawner's pid, or -1 if the server has no child.
inline pid_t SpawnerOf(pid_t server) {
  std::vector<pid_t> children = ChildrenOf(server);
  return children.empty() ? -1 : children.front();
}

inline bool IsStoreProcess(pid_t pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name == "chat-store";
}

// The store process's pid, or -1 if there is none (--ephemeral).
inline pid_t StoreOf(pid_t server) {
  for (pid_t child : ChildrenOf(server)) {
    if (IsStoreProcess(child)) return child;
  }
  return -1;
}

// Every child of the server but the spawner and the store: one per
// connection.
inline std::vector<pid_t> WorkersOf(pid_t server) {
  std::vector<pid_t> children = ChildrenOf(server);
  if (!children.empty()) children.erase(children.begin());
  std::erase_if(children, IsStoreProcess);
  return children;
}

// The state letter of /proc/<pid>/stat ('T' for stopped), or '?'.
inline char ProcessState(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)),
                   std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size()
             ? '?'
             : text[paren + 2];
}

// Waits (bounded) until `pid` shows as stopped.
inline bool WaitForStopped(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ProcessState(pid) == 'T') return true;
    std::this_thread::yield();
  }
  return false;
}

}  // namespace chat::test

#endif  // CHAT_TESTS_SERVER_SERVER_CHILDREN_H_
