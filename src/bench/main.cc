// chat-bench: drives a running chat server (or, with --irc, an IRC server)
// over loopback through one scenario and prints what it measured.
#include <signal.h>

#include <cstdio>
#include <string>

#include "bench/address.h"
#include "bench/dialect.h"
#include "bench/fd_limit.h"
#include "bench/options.h"
#include "bench/progress.h"
#include "bench/report.h"
#include "bench/scenario.h"

namespace {

// Descriptors the run needs at most: one per connection, plus a few.
int64_t DescriptorsNeeded(const chat::bench::Options& options) {
  using chat::bench::Scenario;
  switch (options.scenario) {
    case Scenario::kRtt:
      return options.users + 2 + 16;
    case Scenario::kFanout:
      return options.users + 1 + 16;
    case Scenario::kChurn:
      return options.connectors + 16;
    case Scenario::kHold:
      return options.users + 16;
    case Scenario::kLogin:
      return options.connectors + 16;
    case Scenario::kFile:
      return 2 * options.users + 16;
    case Scenario::kFork:
    case Scenario::kSwitch:
      return 16;
  }
  return 16;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chat::bench;
  // Writes to a connection the server just closed must fail, not kill us.
  signal(SIGPIPE, SIG_IGN);
  ParseOutcome outcome = ParseOptions(argc, argv);
  std::fputs(outcome.out.c_str(), stdout);
  std::fputs(outcome.err.c_str(), stderr);
  if (!outcome.options) return outcome.exit_code;
  const Options& options = *outcome.options;

  int64_t limit = RaiseFdLimit();
  if (limit >= 0 && limit < DescriptorsNeeded(options)) {
    std::fprintf(stderr,
                 "%s: this run needs about %lld open files, the "
                 "limit is %lld (ulimit -Hn)\n",
                 outcome.program.c_str(),
                 static_cast<long long>(DescriptorsNeeded(options)),
                 static_cast<long long>(limit));
    return 3;
  }
  if (options.server_pid > 0 && kill(options.server_pid, 0) != 0) {
    std::fprintf(stderr, "%s: --server-pid %d: no such process\n",
                 outcome.program.c_str(), static_cast<int>(options.server_pid));
    return 2;
  }
  auto server = LoopbackEndpoint(options.host, options.port);
  auto dialect = options.irc    ? MakeIrcDialect(options.channel)
                 : options.room ? MakeChatRoomDialect(options.channel)
                                : MakeChatDialect();
  Progress progress(options.progress);
  RunContext context{options, *dialect, *server, &progress};
  Report report = RunScenario(context);
  progress.Finish();
  if (options.json) {
    std::printf("%s\n", FormatJson(report).c_str());
  } else {
    std::fputs(FormatTable(report).c_str(), stdout);
  }
  std::fflush(stdout);
  return report.ok() ? 0 : 1;
}
