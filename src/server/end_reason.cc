// The table between end reasons, exit statuses and their log words.
#include "server/end_reason.h"

#include <sys/wait.h>

#include <cstring>

namespace chat::server {
namespace {

struct Row {
  EndReason reason;
  int status;
  std::string_view text;
};

// Statuses from 10 up, so that 1 and 2 (a failed exec, a libc abort path,
// a shell's convention) are never mistaken for a session's ending.
constexpr Row kRows[] = {
    {EndReason::kQuit, 0, "quit"},
    {EndReason::kClosed, 10, "closed"},
    {EndReason::kJoinTimeout, 11, "join timeout"},
    {EndReason::kSlow, 12, "dropped as slow"},
    {EndReason::kShutdown, 13, "server shutting down"},
    {EndReason::kBrokerGone, 14, "broker gone"},
    {EndReason::kTooManyUsers, 15, "too many users"},
    {EndReason::kClientError, 16, "connection error"},
    {EndReason::kInternalError, 17, "internal error"},
    {EndReason::kLoggedInElsewhere, 18, "logged in elsewhere"},
    {EndReason::kCrossProtocol, 19, "cross-protocol request"},
    {EndReason::kKicked, 20, "kicked by the operator"},
    {EndReason::kForbiddenCall, 21, "forbidden system call"},
};

}  // namespace

int ExitStatusOf(EndReason reason) {
  for (const Row& row : kRows) {
    if (row.reason == reason) return row.status;
  }
  return 17;
}

EndReason EndReasonOfExitStatus(int status) {
  for (const Row& row : kRows) {
    if (row.status == status) return row.reason;
  }
  return EndReason::kNone;
}

std::string_view Describe(EndReason reason) {
  for (const Row& row : kRows) {
    if (row.reason == reason) return row.text;
  }
  return "running";
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) {
    int status = WEXITSTATUS(wait_status);
    std::string text = "exit " + std::to_string(status);
    EndReason reason = EndReasonOfExitStatus(status);
    if (reason != EndReason::kNone) {
      text += " (";
      text += Describe(reason);
      text += ")";
    }
    return text;
  }
  if (WIFSIGNALED(wait_status)) {
    int signal = WTERMSIG(wait_status);
    std::string text = "killed by signal " + std::to_string(signal);
    const char* name = sigabbrev_np(signal);
    if (name) text += " (SIG" + std::string(name) + ")";
    return text;
  }
  return "status " + std::to_string(wait_status);
}

}  // namespace chat::server
