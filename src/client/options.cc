// ParseOptions: CLI11 does the parsing; this file only states the options
// and turns CLI11's outcomes into our exit statuses.
#include "client/options.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "client/exit_code.h"
#include "protocol/text.h"

namespace chat::client {

std::variant<Options, int> ParseOptions(int argc, const char* const* argv,
                                        std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Console chat client: connects to a chat server, registers a username "
      "and lets you chat.\nType /help once connected for every command.",
      "chat-client"};
  app.set_version_flag("--version", kClientVersion);

  Options options;
  int port = 0;
  std::string user;
  // Each of HOST and PORT may be given by position or by name, not both
  // (CLI11 rejects the second value as an extra argument).
  app.add_option("HOST,--host", options.host,
                 "server host name, IPv4 or IPv6 address")
      ->required()
      ->type_name("HOST");
  app.add_option("PORT,--port", port, "server TCP port (1-65535)")
      ->required()
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error, out, err);
    return status == 0 ? 0 : kExitUsage;
  }
  options.port = static_cast<uint16_t>(port);
  if (app.count("--user") > 0) options.user = user;
  if (app.count("--fingerprint") > 0) {
    options.fingerprint = fingerprint;
    options.tls = true;
  }
  return options;
}

}  // namespace chat::client
