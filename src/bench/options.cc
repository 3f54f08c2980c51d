// Command-line parsing with CLI11; bad input becomes a value, not a throw.
#include "bench/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <sstream>
#include <string>

#include "bench/address.h"
#include "command_line/program_name.h"
#include "command_line/usage.h"

namespace chat::bench {

const char* ScenarioName(Scenario scenario) {
  switch (scenario) {
    case Scenario::kRtt:
      return "rtt";
    case Scenario::kFanout:
      return "fanout";
    case Scenario::kChurn:
      return "churn";
    case Scenario::kHold:
      return "hold";
    case Scenario::kLogin:
      return "login";
    case Scenario::kFork:
      return "fork";
    case Scenario::kSwitch:
      return "switch";
    case Scenario::kFile:
      return "file";
  }
  return "?";
}

void ApplyDefaults(Options* o) {
  switch (o->scenario) {
    case Scenario::kRtt:
      if (o->users < 0) o->users = 0;
      if (o->messages < 0) o->messages = 5000;
      if (o->warmup < 0) o->warmup = std::min<int64_t>(100, o->messages / 10);
      if (o->duration < 0) o->duration = 30;
      break;
    case Scenario::kFanout:
      if (o->users < 0) o->users = 100;
      if (o->messages < 0) o->messages = 2000;
      if (o->duration < 0) o->duration = 30;
      break;
    case Scenario::kChurn:
      if (o->duration < 0) o->duration = 10;
      break;
    case Scenario::kHold:
      if (o->users < 0) o->users = 1000;
      if (o->duration < 0) o->duration = 5;
      break;
    case Scenario::kLogin:
      // More connectors than the server has CPUs keep its hashing busy (it
      // checks one password per CPU at a time); 8 stay within a server's
      // default --max-users of 10.
      if (o->connectors < 0) o->connectors = 8;
      // Enough accounts that each connector has its own and the next one is
      // free when it comes round again.
      if (o->users < 0) o->users = std::max<int64_t>(50, o->connectors);
      if (o->duration < 0) o->duration = 10;
      break;
    case Scenario::kFork:
      if (o->messages < 0) o->messages = 2000;
      break;
    case Scenario::kSwitch:
      // A thousand processes, as many as the users of a busy server; about
      // a second of hops at this machine's cold-cache cost.
      if (o->users < 0) o->users = 1000;
      if (o->messages < 0) o->messages = 100'000;
      break;
    case Scenario::kFile:
      if (o->users < 0) o->users = 1;
      if (o->messages < 0) o->messages = 64;
      break;
  }
  if (o->warmup < 0) o->warmup = 0;
  if (o->connectors < 0) o->connectors = 16;
}

ParseOutcome ParseOptions(int argc, const char* const* argv) {
  Options o;
  ParseOutcome outcome;
  outcome.program =
      command_line::ProgramName(argc > 0 ? argv[0] : nullptr, "chat-bench");
  const std::string& program = outcome.program;
  const std::string version =
      command_line::VersionLine(program, "chat-bench", "1.0");
  CLI::App app{
      "Load generator and latency meter for chat-server (and, with --irc, "
      "any IRC server) over loopback",
      program};
  command_line::UseHelpFormatter(&app, program, "[OPTIONS] SCENARIO");
  app.set_version_flag("--version", version, "Print the version and exit");
  std::string scenario = "rtt";
  int server_pid = 0;
  app.add_option("SCENARIO", scenario,
                 "rtt, fanout, churn, hold, login or file; or, with no server, "
                 "fork "
                 "(this machine's cost of a process per session) or switch "
                 "(its cost of waking one process among many)")
      ->required()
      ->check(CLI::IsMember({"rtt", "fanout", "churn", "hold", "login", "file",
                             "fork", "switch"}));
  app.add_option("-p,--port", o.port,
                 "server port (required but for fork and switch)");
  app.add_option("--host", o.host,
                 "server address, numeric IPv4 in 127.0.0.0/8 (default "
                 "127.0.0.1)");
  auto* irc_flag =
      app.add_flag("--irc", o.irc,
                   "speak IRC (NICK/USER, PRIVMSG, one channel) instead of the "
                   "chat protocol");
  auto* tls_flag = app.add_flag("--tls", o.tls,
                                "speak TLS (to the chat server's --tls-port)")
                       ->excludes(irc_flag);
  app.add_flag("--ws", o.ws,
               "speak WebSocket (to the chat server's --web-port)")
      ->excludes(irc_flag)
      ->excludes(tls_flag);
  app.add_option("--channel", o.channel, "IRC channel for broadcasts")
      ->check([](const std::string& name) {
        return !name.empty() && (name[0] == '#' || name[0] == '&') &&
                       name.find_first_of(" ,\r\n\a") == std::string::npos
                   ? std::string()
                   : std::string("not an IRC channel name");
      });
  app.add_flag("--room", o.room,
               "fanout: every user enters one room (--channel, default "
               "#bench) and the sender writes to it with MESG instead of BCST");
  app.add_flag("--hold-join", o.hold_join,
               "hold, IRC: also join the channel, so that every "
               "registration is announced to all as in the chat protocol");
  app.add_option("-n,--users", o.users,
                 "rtt: idle users; fanout: receivers; hold: users; login: "
                 "accounts (default 50); switch: processes in the ring; file: "
                 "transfers at once (default 1)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}));
  app.add_option("-m,--messages", o.messages,
                 "rtt: round trips; fanout: broadcasts; fork: processes; "
                 "switch: hops; file: MiB per file (default 64)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--warmup", o.warmup,
                 "rtt: first round trips left out of the statistics")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}));
  app.add_option("-w,--window", o.window, "fanout: broadcasts in flight")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000}));
  app.add_option("-s,--size", o.size, "bytes of message text (default 32)")
      ->check(CLI::Range(int64_t{16}, int64_t{400}));
  app.add_option("-c,--connectors", o.connectors,
                 "churn, login: concurrent connectors (default 16; login: 8)")
      ->check(CLI::Range(int64_t{1}, int64_t{10'000}));
  app.add_option("-d,--duration", o.duration,
                 "churn, login: seconds to run; hold: seconds to hold; rtt, "
                 "fanout: upper bound on the measuring")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--concurrency", o.concurrency,
                 "connections being set up at once (default 64)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000}));
  app.add_option("--sources", o.sources,
                 "loopback source addresses to spread connections over "
                 "(default 64)")
      ->check(CLI::Range(int64_t{1}, int64_t{kMaxSources}));
  app.add_option("--server-pid", server_pid,
                 "the server's pid: report its CPU and, for hold, its Pss")
      ->check(CLI::PositiveNumber);
  app.add_option("-t,--timeout", o.timeout,
                 "seconds each waiting phase may take (default 60)")
      ->check(CLI::Range(0.1, 86400.0));
  app.add_flag("--json", o.json, "print one JSON line instead of the table");
  bool no_progress = false;
  app.add_flag("-q,--no-progress", no_progress, "no progress line on stderr");
  app.add_option("--label", o.label, "a tag copied into the output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    outcome.out = app.help();
    return outcome;
  } catch (const CLI::CallForVersion&) {
    outcome.out = version + "\n";
    return outcome;
  } catch (const CLI::RequiredError&) {
    outcome.exit_code = 2;
    outcome.err = program + ": a SCENARIO is required\n" + app.help();
    return outcome;
  } catch (const CLI::ParseError& error) {
    outcome.exit_code = 2;
    outcome.err = command_line::UsageErrorLine(program, error);
    return outcome;
  }
  if (scenario == "rtt") o.scenario = Scenario::kRtt;
  if (scenario == "fanout") o.scenario = Scenario::kFanout;
  if (scenario == "churn") o.scenario = Scenario::kChurn;
  if (scenario == "hold") o.scenario = Scenario::kHold;
  if (scenario == "login") o.scenario = Scenario::kLogin;
  if (scenario == "fork") o.scenario = Scenario::kFork;
  if (scenario == "switch") o.scenario = Scenario::kSwitch;
  if (scenario == "file") o.scenario = Scenario::kFile;
  const bool needs_server =
      o.scenario != Scenario::kFork && o.scenario != Scenario::kSwitch;
  if (!LoopbackEndpoint(o.host, o.port)) {
    outcome.exit_code = 2;
    outcome.err = command_line::UsageErrorLine(
        program, "--host: " + o.host +
                     " is not a numeric IPv4 address in 127.0.0.0/8; " +
                     program + " only sends to loopback");
    return outcome;
  }
  if (o.port == 0 && needs_server) {
    outcome.exit_code = 2;
    outcome.err = command_line::UsageErrorLine(
        program, "--port: a server port is required");
    return outcome;
  }
  if (o.room && (o.scenario != Scenario::kFanout || o.irc)) {
    outcome.exit_code = 2;
    outcome.err = "--room: only for fanout in the chat protocol\n";
    return outcome;
  }
  if (o.scenario == Scenario::kLogin && o.irc) {
    outcome.exit_code = 2;
    outcome.err = command_line::UsageErrorLine(
        program, "login: only in the chat protocol (IRC has no accounts)");
    return outcome;
  }
  if (o.scenario == Scenario::kFanout && o.users == 0) {
    outcome.exit_code = 2;
    outcome.err = command_line::UsageErrorLine(
        program, "--users: fanout needs at least one receiver");
    return outcome;
  }
  if (o.scenario == Scenario::kSwitch && o.users >= 0 &&
      (o.users < 2 || o.users > kMaxRingProcesses)) {
    outcome.exit_code = 2;
    outcome.err = command_line::UsageErrorLine(
        program, "--users: switch needs a ring of 2 to " +
                     std::to_string(kMaxRingProcesses) +
                     " processes (this one included), not " +
                     std::to_string(o.users));
    return outcome;
  }
  o.server_pid = server_pid;
  o.progress = !no_progress;
  ApplyDefaults(&o);
  // The defaults hold this; only a --users given too small breaks it.
  if (o.scenario == Scenario::kLogin && o.users < o.connectors) {
    outcome.exit_code = 2;
    outcome.err = command_line::UsageErrorLine(
        program, "--users: login needs at least one account per connector (" +
                     std::to_string(o.connectors) + "), not " +
                     std::to_string(o.users));
    return outcome;
  }
  outcome.options = o;
  return outcome;
}

}  // namespace chat::bench
