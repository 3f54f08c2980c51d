// The chat-bench command line: what to run, against which server, how big.
#ifndef CHAT_BENCH_OPTIONS_H_
#define CHAT_BENCH_OPTIONS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace chat::bench {

// kFork and kSwitch need no server: they measure this machine's cost of a
// process per session (fork, _exit, waitpid), the floor under a forking
// server's churn, and of waking one process among many (kSwitch: a ring of
// processes passing a token through pipes), the floor under its fan-out.
enum class Scenario {
  kRtt,
  kFanout,
  kChurn,
  kHold,
  kLogin,
  kFork,
  kSwitch,
  kFile
};

// The largest ring kSwitch builds: each member is a whole process.
inline constexpr int64_t kMaxRingProcesses = 10'000;

struct Options {
  Scenario scenario = Scenario::kRtt;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  bool irc = false;
  bool tls = false;  // --port is the server's TLS port
  bool ws = false;   // --port is the server's web port (WebSocket)
  std::string channel = "#bench";
  bool room = false;       // fanout --room: MESG to one room, not BCST
  bool hold_join = false;  // IRC hold: join the channel too
  // Scenario sizes; the defaults depend on the scenario (see Defaults()).
  // rtt: idle users; fanout: receivers; hold: users; login: accounts;
  // switch: processes; file: transfers at once
  int64_t users = -1;
  // rtt: round trips; fanout: broadcasts; fork: processes; switch: hops;
  // file: MiB per file
  int64_t messages = -1;
  int64_t warmup = -1;      // rtt: round trips left out of the statistics
  int64_t window = 1;       // fanout: broadcasts in flight
  int64_t size = 32;        // bytes of message text
  int64_t connectors = -1;  // churn (default 16), login (default 8)
  // churn, login: run time; hold: hold time; rtt, fanout: cap
  double duration = -1;
  int64_t concurrency = 64;  // connections between connect and ready
  int64_t sources = 64;      // loopback source addresses
  pid_t server_pid = 0;      // 0: not given
  double timeout = 60;       // bound on each waiting phase
  bool json = false;
  bool progress = true;
  std::string label;
};

// Fills in the scenario's defaults for what was not given.
void ApplyDefaults(Options* options);

const char* ScenarioName(Scenario scenario);

struct ParseOutcome {
  std::string program;             // what the program calls itself
  std::optional<Options> options;  // set: run
  int exit_code = 0;               // else: exit with this code
  std::string out;                 // ... after printing this to stdout
  std::string err;                 // ... and this to stderr
};

ParseOutcome ParseOptions(int argc, const char* const* argv);

}  // namespace chat::bench

#endif  // CHAT_BENCH_OPTIONS_H_
