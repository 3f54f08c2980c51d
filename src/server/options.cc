// Command-line parsing with CLI11. Every failure becomes one line on stderr
// and exit status 2; a missing port says so first, then shows the usage
// and the options, as a bare "port is required" would not tell a newcomer
// what to type. The program names itself as it was started (chat-server
// once installed, server in the build tree).
#include "server/options.h"

#include <CLI/CLI.hpp>
#include <limits>
#include <sstream>

#include "command_line/program_name.h"
#include "command_line/usage.h"
#include "server/file_options.h"
#include "server/flood_options.h"
#include "server/guard_options.h"
#include "server/sandbox_options.h"
#include "server/transport_options.h"

namespace chat::server {
namespace {

constexpr std::string_view kFooter =
    "A multi-process chat server: one worker process per TCP connection.\n"
    "It prints \"listening on HOST:PORT\" on stdout once ready and logs one\n"
    "line per event on stderr. SIGTERM or SIGINT shut it down.";

}  // namespace

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv) {
  Options options;
  std::optional<uint32_t> port;
  bool quiet = false;
  bool verbose = false;

  ParsedCommandLine result;
  result.program =
      command_line::ProgramName(argc > 0 ? argv[0] : nullptr, kServerName);
  const std::string version =
      command_line::VersionLine(result.program, kServerName, kServerRelease);
  CLI::App app;
  app.name(result.program);
  command_line::UseHelpFormatter(&app, result.program, "[OPTIONS] PORT");
  app.footer(std::string(kFooter));
  app.set_version_flag("--version", version, "Print the version and exit");
  app.get_formatter()->column_width(28);

  app.add_option("port,--port", port,
                 "TCP port to listen on, also given as PORT (0: any free "
                 "port)")
      ->type_name("PORT")
      ->check(CLI::Range(0, 65535).description(""));
  app.add_option("--bind", options.bind,
                 "Address to listen on (default: every IPv6 and IPv4 address)")
      ->type_name("ADDR");
  app.add_option("--max-users", options.max_users,
                 "Most registered users at once")
      ->type_name("N")
      ->check(CLI::Range(1, 100000).description(""))
      ->capture_default_str();
  app.add_option("--max-connections", options.max_connections,
                 "Most connections (= worker processes) at once")
      ->type_name("N")
      ->check(CLI::Range(1, 65536).description(""))
      ->capture_default_str();
  app.add_option("--send-queue", options.send_queue,
                 "Bytes of undelivered output kept per client before it is "
                 "dropped as too slow")
      ->type_name("BYTES")
      ->check(CLI::Range(size_t{8192}, size_t{1} << 30).description(""))
      ->capture_default_str();
  app.add_option("--join-timeout", options.join_timeout_seconds,
                 "Seconds a connection may stay without JOIN")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 86400).description(""))
      ->capture_default_str();
  auto* data_dir =
      app.add_option("--data-dir", options.data_dir,
                     "Directory of the database (chat-server.db): accounts, "
                     "waiting messages, history, the audit log")
          ->type_name("DIR")
          ->capture_default_str();
  app.add_flag("--ephemeral", options.ephemeral,
               "Run without a database: accounts, offline delivery and "
               "history answer ERR Unavailable")
      ->excludes(data_dir);
  app.add_option("--mailbox", options.mailbox,
                 "Messages kept per account while it is away")
      ->type_name("N")
      ->check(CLI::Range(1, 100000).description(""))
      ->capture_default_str();
  app.add_option("--mailbox-days", options.mailbox_days,
                 "Days a waiting message is kept")
      ->type_name("DAYS")
      ->check(CLI::Range(1, 36500).description(""))
      ->capture_default_str();
  app.add_option("--history-days", options.history_days,
                 "Days messages are kept for HISTORY (0: none)")
      ->type_name("DAYS")
      ->check(CLI::Range(0, 36500).description(""))
      ->capture_default_str();
  app.add_option("--max-rooms", options.max_rooms,
                 "Most rooms on the server at once")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000).description(""))
      ->capture_default_str();
  std::string privacy = "open";
  app.add_option("--privacy", privacy,
                 "A new user's privacy setting: open (anyone may send it "
                 "private messages) or ask (only users it accepted)")
      ->type_name("open|ask")
      ->check(CLI::IsMember({"open", "ask"}).description(""))
      ->capture_default_str();
  auto* quiet_flag = app.add_flag("-q,--quiet", quiet, "Log errors only");
  app.add_flag("-v,--verbose", verbose, "Log message texts too")
      ->excludes(quiet_flag);

  AddTransportOptions(app, &options);
  AddFileOptions(app, &options);
  AddGuardOptions(app, &options);
  AddFloodOptions(app, &options);
  AddSandboxOptions(app, &options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    result.out = app.help();
    return result;
  } catch (const CLI::CallForAllHelp&) {
    result.out = app.help();
    return result;
  } catch (const CLI::CallForVersion&) {
    result.out = version + "\n";
    return result;
  } catch (const CLI::ParseError& error) {
    result.exit_status = kExitUsage;
    result.err = command_line::UsageErrorLine(result.program, error);
    return result;
  }
  if (!port) {
    result.exit_status = kExitUsage;
    result.err = result.program +
                 ": a PORT is required (0 picks any free one)\n" + app.help();
    return result;
  }
  if (std::string error = CheckTransportOptions(options); !error.empty()) {
    result.exit_status = kExitUsage;
    result.err = result.program + ": " + error + "\n";
    return result;
  }
  options.port = static_cast<uint16_t>(*port);
  options.privacy_ask = privacy == "ask";
  if (quiet) options.log_level = LogLevel::kError;
  if (verbose) options.log_level = LogLevel::kVerbose;
  result.options = options;
  return result;
}

}  // namespace chat::server
