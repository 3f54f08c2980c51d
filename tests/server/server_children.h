// The server's children split into its spawner and its workers. The spawner
// is the broker's first child (forked at start-up), and /proc lists a
// process's children in the order they were created.
#ifndef CHAT_TESTS_SERVER_SERVER_CHILDREN_H_
#define CHAT_TESTS_SERVER_SERVER_CHILDREN_H_

#include <sys/types.h>

#include <vector>

#include "support/subprocess.h"

namespace chat::test {

// The spawner's pid, or -1 if the server has no child.
inline pid_t SpawnerOf(pid_t server) {
  std::vector<pid_t> children = ChildrenOf(server);
  return children.empty() ? -1 : children.front();
}

// Every child of the server but the spawner: one per connection.
inline std::vector<pid_t> WorkersOf(pid_t server) {
  std::vector<pid_t> children = ChildrenOf(server);
  if (!children.empty()) children.erase(children.begin());
  return children;
}

}  // namespace chat::test

#endif  // CHAT_TESTS_SERVER_SERVER_CHILDREN_H_
