// Test hooks driven by the environment; see test_hooks.h.
#include "server/test_hooks.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "ipc/registry.h"

namespace chat::server {
namespace {

const char* stop_in_join_marker = nullptr;
std::string* room_join_stage = nullptr;
const char* room_join_marker = nullptr;

void StopOnce(const char* marker) {
  int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;  // another worker was the one
  close(fd);
  raise(SIGSTOP);
}

void StopInJoin(const char* stage) {
  if (std::strcmp(stage, "join:indexed") != 0) return;
  StopOnce(stop_in_join_marker);
}

}  // namespace

void RunRoomJoinHook(const char* stage) {
  if (room_join_stage == nullptr || *room_join_stage != stage) return;
  StopOnce(room_join_marker);
}

void InstallTestHooksFromEnvironment() {
  // STAGE:PATH (the stage holds a colon itself; the path must not), kept
  // for the life of the process: workers inherit it.
  const char* room = std::getenv("CHAT_SERVER_TEST_STOP_IN_ROOM_JOIN");
  if (room != nullptr && std::strrchr(room, ':') != nullptr) {
    const char* colon = std::strrchr(room, ':');
    room_join_stage = new std::string(room, colon);
    room_join_marker = colon + 1;
  }
  const char* marker = std::getenv("CHAT_SERVER_TEST_STOP_IN_JOIN");
  if (marker == nullptr || *marker == '\0') return;
  stop_in_join_marker = marker;
  ipc::Registry::SetUpdateHookForTesting(StopInJoin);
}

}  // namespace chat::server
