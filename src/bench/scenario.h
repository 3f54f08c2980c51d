// The benchmark scenarios (rtt, fanout, churn, hold, login against a server;
// fork and switch on this machine alone) and what they share: how users are
// named and connected, the wait for announcements, message texts, what goes
// into every report, and the server's CPU and memory as /proc shows them.
#ifndef CHAT_BENCH_SCENARIO_H_
#define CHAT_BENCH_SCENARIO_H_

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bench/client_pool.h"
#include "bench/dialect.h"
#include "bench/options.h"
#include "bench/process_stats.h"
#include "bench/progress.h"
#include "bench/report.h"

namespace chat::bench {

struct RunContext {
  const Options& options;
  const Dialect& dialect;
  sockaddr_in server;
  Progress* progress;
};

Report RunRtt(const RunContext& context);
Report RunFanout(const RunContext& context);
Report RunChurn(const RunContext& context);
Report RunHold(const RunContext& context);
Report RunLogin(const RunContext& context);
Report RunFork(const RunContext& context);
Report RunSwitch(const RunContext& context);
Report RunFile(const RunContext& context);
Report RunScenario(const RunContext& context);

// --- Shared by the scenarios -----------------------------------------------

// Three base-36 characters that differ between runs, so that a run never
// collides with names a previous run's sessions may still hold.
std::string RunTag();

// role letter + run tag + index in base 36: at most 9 characters for indexes
// below 36^5, which fits the smallest IRC nick limit, and a letter first as
// IRC requires.
std::string UserName(char role, std::string_view tag, int64_t index);

// "<sequence> xxxx...": `size` bytes (at least the number and a space).
std::string MessageText(int64_t sequence, int64_t size);
// The leading sequence number of a MessageText; nullopt if there is none.
std::optional<int64_t> ParseSequence(std::string_view text);

// How many announcements (JOINED, or IRC JOIN of another member) `members`
// users registered in one audience receive in all: each pair once, to
// whichever of the two was there first.
int64_t PairwiseAnnouncements(int64_t members);

// A report with the run's identity (scenario, dialect, label, target).
Report NewReport(const RunContext& context);
// The same for a scenario that measures this machine alone, without a server.
Report NewLocalReport(const RunContext& context);

// A phase that did not finish: the report is incomplete, and says why.
void MarkIncomplete(std::string problem, Report* report);

// Adds what should have arrived and what did to the report; any shortfall
// counts as lost. Returns the shortfall.
int64_t CountDeliveries(int64_t expected, int64_t received, Report* report);

// Counts `missing` OK answers to `verb` (MESG, BCST) as errors, if any.
void CountMissingAcks(int64_t missing, std::string_view verb, Report* report);

// A pool of connections to the context's server, as the options ask for,
// whose events go to `handler`.
ClientPool MakePool(const RunContext& context, ClientHandler* handler);

// False, with the reason in the report, if the pool could not be set up.
bool PoolUsable(const ClientPool& pool, Report* report);

// Enqueues `count` users and runs until every one is ready or has failed, or
// the deadline passes. True if all `count` became ready.
bool ConnectUsers(ClientPool* pool, int64_t count, char role_letter, int role,
                  std::string_view tag, bool join_channel, int64_t deadline_ns);

// Runs until the pool has counted `expected` announcements or the deadline
// passes; adds "announced" and "announce_expected" to the report and any
// missing ones to report->lost. Returns the seconds it took.
double AwaitAnnouncements(ClientPool* pool, int64_t expected,
                          int64_t deadline_ns, Report* report);

// Copies the pool's error count, failures and first problems into report.
void AddPoolOutcome(const ClientPool& pool, Report* report);

// Server and bench CPU over a phase; the server's part only with a pid.
class CpuMeter {
 public:
  explicit CpuMeter(pid_t server_pid) : server_pid_(server_pid) {}
  void Start();
  // Adds server_cpu_s, server_main_cpu_s, server_switches (with a pid) and
  // bench_cpu_s for the time since Start().
  void Stop(Report* report);

 private:
  pid_t server_pid_;
  std::optional<TreeSample> server_start_;
  double bench_start_ = 0;
  int64_t wall_start_ = 0;
};

// With --server-pid: waits for the server to go quiet before measuring.
void SettleServer(const RunContext& context, Report* report);

}  // namespace chat::bench

#endif  // CHAT_BENCH_SCENARIO_H_
