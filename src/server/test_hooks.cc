// Test hooks driven by the environment; see test_hooks.h.
#include "server/test_hooks.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "ipc/registry.h"

namespace chat::server {
namespace {

const char* stop_in_join_marker = nullptr;

void StopInJoin(const char* stage) {
  if (std::strcmp(stage, "join:indexed") != 0) return;
  int fd =
      open(stop_in_join_marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;  // another worker was the one
  close(fd);
  raise(SIGSTOP);
}

}  // namespace

void InstallTestHooksFromEnvironment() {
  const char* marker = std::getenv("CHAT_SERVER_TEST_STOP_IN_JOIN");
  if (marker == nullptr || *marker == '\0') return;
  stop_in_join_marker = marker;
  ipc::Registry::SetUpdateHookForTesting(StopInJoin);
}

}  // namespace chat::server
