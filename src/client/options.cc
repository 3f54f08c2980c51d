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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error, out, err);
    return status == 0 ? 0 : kExitUsage;
  }
  options.port = static_cast<uint16_t>(port);
  if (app.count("--user") > 0) options.user = user;
  return options;
}

}  // namespace chat::client
