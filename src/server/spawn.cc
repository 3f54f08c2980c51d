// A new worker's first steps: die with the broker, keep only the fds the
// session needs, then run the worker.
#include "server/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>

#include "server/end_reason.h"

namespace chat::server {
namespace {

// Closes every fd from `first` up except keep_low and keep_high; false if
// the system refused.
bool CloseAllExcept(int first, int keep_low, int keep_high) {
  bool ok = true;
  int next = first;
  for (int keep : {keep_low, keep_high}) {
    if (keep > next) {
      ok &= close_range(static_cast<unsigned>(next),
                        static_cast<unsigned>(keep - 1), 0) == 0;
    }
    next = std::max(next, keep + 1);
  }
  ok &= close_range(static_cast<unsigned>(next), ~0U, 0) == 0;
  return ok;
}

}  // namespace

void BecomeWorker(WorkerSetup setup, pid_t broker, int dev_null) {
  // Asking for SIGTERM at the broker's death covers SIGKILL of the broker;
  // the getppid() check covers a broker that died before the prctl.
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != broker) {
    _exit(ExitStatusOf(EndReason::kBrokerGone));
  }
  // A worker reads nothing from stdin and writes nothing to stdout (its log
  // goes to stderr). Keeping the server's stdin and stdout open in every
  // worker would make a script that reads the server's stdout until the end
  // wait for the last session as well.
  if (dev_null >= 0) {
    dup2(dev_null, STDIN_FILENO);
    dup2(dev_null, STDOUT_FILENO);
  }
  int client = setup.client.get();
  int channel = setup.channel.fd();
  if (!CloseAllExcept(STDERR_FILENO + 1, std::min(client, channel),
                      std::max(client, channel))) {
    // Only its creator's fds would leak into this one process; serving the
    // client is still right.
    setup.log->Error(ClientSubject(setup.client_number, getpid()),
                     ErrnoText("close_range", errno));
  }
  RunWorker(std::move(setup));
}

}  // namespace chat::server
