// The client's exit statuses, one place for main, the session and the man
// page to agree on.
#ifndef CHAT_CLIENT_EXIT_CODE_H_
#define CHAT_CLIENT_EXIT_CODE_H_

namespace chat::client {

enum ExitCode : int {
  kExitOk = 0,              // OK QUIT or BYE received: a clean goodbye
  kExitConnectionLost = 1,  // closed, broken or unanswered without a goodbye
  kExitUsage = 2,           // bad command line (unknown option, bad port)
  kExitCannotConnect = 3,   // host unknown, connection refused or timed out
  kExitRejected = 4,        // server full, or --user refused with no one to
                            // ask for another name
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_EXIT_CODE_H_
