// ParseOptions: CLI11 does the parsing; this file only states the options
// and turns CLI11's outcomes into our exit statuses and messages (one line
// for a bad option; what is missing, the usage and the options when HOST or
// PORT is not given).
#include "client/options.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "client/exit_code.h"
#include "command_line/program_name.h"
#include "command_line/usage.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

// "[::1]", as the client itself prints an IPv6 address with its port, is
// the address ::1.
std::string WithoutBrackets(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

std::variant<Options, int> ParseOptions(int argc, const char* const* argv,
                                        std::ostream& out, std::ostream& err) {
  Options options;
  options.program =
      command_line::ProgramName(argc > 0 ? argv[0] : nullptr, kClientName);
  const std::string version =
      command_line::VersionLine(options.program, kClientName, kClientRelease);
  CLI::App app{
      "Console chat client: connects to a chat server, registers a username "
      "and lets you chat.\nType /help once connected for every command.",
      options.program};
  command_line::UseHelpFormatter(&app, options.program, "[OPTIONS] HOST PORT");
  app.set_version_flag("--version", version, "Print the version and exit");

  std::string host;
  int port = 0;
  std::string user;
  // Each of HOST and PORT may be given by position or by name, not both
  // (CLI11 rejects the second value as an extra argument).
  app.add_option("HOST,--host", host,
                 "server host name, IPv4 or IPv6 address (also given as "
                 "HOST; [::1] works too)")
      ->type_name("HOST");
  app.add_option("PORT,--port", port,
                 "server TCP port, 1-65535 (also given as PORT)")
      ->type_name("PORT")
      ->check(CLI::Range(1, 65535).description(""));
  // Checked here rather than by the server: a script given a bad name
  // learns it as a usage error, before anything is sent.
  app.add_option("--user", user,
                 "register as NAME (1-32 letters or digits) without asking")
      ->type_name("NAME")
      ->check(
          [](const std::string& name) {
            return protocol::IsValidUsername(name)
                       ? std::string()
                       : "not a valid username: " + name +
                             " (1 to 32 letters or digits)";
          },
          "");
  app.add_flag("--no-color", options.no_color,
               "never colour the output (so does the NO_COLOR variable)");
  app.add_flag("--tls", options.tls,
               "connect with TLS (to the server's --tls-port); the "
               "certificate is trusted on first use");
  std::string fingerprint;
  app.add_option("--fingerprint", fingerprint,
                 "accept only the certificate with this fingerprint "
                 "(implies --tls)")
      ->type_name("SHA256:HEX")
      ->check(
          [](const std::string& text) {
            bool ok = text.size() == 7 + 64 && text.rfind("SHA256:", 0) == 0 &&
                      text.find_first_not_of("0123456789abcdefABCDEF", 7) ==
                          std::string::npos;
            return ok ? std::string()
                      : "expected SHA256: and 64 hex digits, as the server "
                        "prints it";
          },
          "");
  auto* login = app.add_flag("--login", options.login,
                             "log in to the account NAME (asks its password)");
  app.add_flag("--register", options.register_account,
               "create the account NAME (asks a password twice) and join")
      ->excludes(login);
  app.add_option("--password-file", options.password_file,
                 "read the account's password from the first line of FILE "
                 "(for scripts; keep it private: chmod 600)")
      ->type_name("FILE");
  app.add_option("--download-dir", options.download_dir,
                 "save received files (/get) in DIR (default: the current "
                 "directory); nothing there is ever overwritten")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory.description(""));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForVersion&) {
    out << version << "\n";
    return 0;
  } catch (const CLI::ParseError& error) {
    err << command_line::UsageErrorLine(options.program, error);
    return kExitUsage;
  }
  const bool has_host = app.count("--host") > 0;
  const bool has_port = app.count("--port") > 0;
  if (!has_host || !has_port) {
    const char* missing = !has_host && !has_port ? "HOST and PORT are"
                          : !has_host            ? "a HOST is"
                                                 : "a PORT is";
    err << options.program << ": " << missing
        << " required: the server's address and port, as in " << options.program
        << " localhost 8001\n"
        << app.help();
    return kExitUsage;
  }
  options.host = WithoutBrackets(host);
  options.port = static_cast<uint16_t>(port);
  if (app.count("--user") > 0) options.user = user;
  if (app.count("--fingerprint") > 0) {
    options.fingerprint = fingerprint;
    options.tls = true;
  }
  return options;
}

}  // namespace chat::client
