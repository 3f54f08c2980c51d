// Why a session ended. A worker exits with the status that names its reason,
// so the broker can log it when it reaps the worker without another message.
#ifndef CHAT_SERVER_END_REASON_H_
#define CHAT_SERVER_END_REASON_H_

#include <string>
#include <string_view>

namespace chat::server {

enum class EndReason {
  kNone,           // still running
  kQuit,           // the client sent QUIT
  kClosed,         // the client closed (or reset) the connection
  kJoinTimeout,    // no JOIN within --join-timeout
  kSlow,           // more than --send-queue bytes of output undelivered
  kShutdown,       // the server is shutting down (SIGTERM/SIGINT, kShutdown)
  kBrokerGone,     // the broker's end of the channel closed
  kTooManyUsers,   // JOIN refused because the registry is full
  kClientError,    // reading or writing the client socket failed
  kInternalError,  // a broken channel or an impossible state
  kLoggedInElsewhere,  // a LOGIN to the same account on another connection
  kCrossProtocol,      // it spoke HTTP before registering (cross_protocol.h)
  kKicked,             // the operator removed it (chat-admin kick, a ban)
  kForbiddenCall,      // the sandbox caught a forbidden system call
};

// Worker exit statuses; 0 is the one normal ending a client asks for.
int ExitStatusOf(EndReason reason);
// The reason a worker exit status stands for; kNone if none does.
EndReason EndReasonOfExitStatus(int status);

// As the status log says it: "quit", "closed", "dropped as slow", ...
std::string_view Describe(EndReason reason);

// "exit 0 (quit)", "killed by signal 9", from a waitpid() status.
std::string DescribeWaitStatus(int wait_status);

}  // namespace chat::server

#endif  // CHAT_SERVER_END_REASON_H_
