// --tls-port, --tls-cert, --tls-key, --web-port, --web-tls-port,
// --web-origin (and --data-dir, --ephemeral where nobody else defines them).
#include "server/transport_options.h"

namespace chat::server {

void AddTransportOptions(CLI::App& app, Options* options) {
  auto port_option = [&](const char* name, std::optional<uint16_t>* port,
                         const char* help) {
    app.add_option_function<uint32_t>(
           name,
           [port](const uint32_t& value) {
             *port = static_cast<uint16_t>(value);
           },
           help)
        ->type_name("PORT")
        ->check(CLI::Range(0, 65535).description(""));
  };
  port_option("--tls-port", &options->tls_port,
              "Also take the line protocol inside TLS on PORT (0: any)");
  app.add_option("--tls-cert", options->tls_cert,
                 "TLS certificate chain (PEM); default: a self-signed one "
                 "made in the data directory on first start")
      ->type_name("FILE");
  app.add_option("--tls-key", options->tls_key,
                 "Private key of --tls-cert (PEM)")
      ->type_name("FILE");
  port_option("--web-port", &options->web_port,
              "Serve the web client and WebSocket on PORT (0: any)");
  port_option("--web-tls-port", &options->web_tls_port,
              "The same over https and wss on PORT (0: any)");
  app.add_option("--web-origin", options->web_origins,
                 "Also allow WebSocket connections from pages of ORIGIN, "
                 "e.g. https://chat.example.org (repeatable)")
      ->type_name("ORIGIN")
      ->allow_extra_args(false);  // one ORIGIN per --web-origin, then PORT
  if (app.get_option_no_throw("--data-dir") == nullptr) {
    app.add_option("--data-dir", options->data_dir,
                   "Directory for the server's files")
        ->type_name("DIR")
        ->capture_default_str();
  }
  if (app.get_option_no_throw("--ephemeral") == nullptr) {
    app.add_flag("--ephemeral", options->ephemeral,
                 "Keep nothing on disk (the TLS certificate only in memory)");
  }
}

std::string CheckTransportOptions(const Options& options) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return "--tls-cert and --tls-key go together";
  }
  if (!options.tls_cert.empty() && !options.tls_port && !options.web_tls_port) {
    return "--tls-cert needs --tls-port or --web-tls-port";
  }
  if (!options.web_origins.empty() && !options.web_port &&
      !options.web_tls_port) {
    return "--web-origin needs --web-port or --web-tls-port";
  }
  for (const std::string& origin : options.web_origins) {
    if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
      return "--web-origin " + origin +
             ": expected http://HOST[:PORT] or https://HOST[:PORT]";
    }
  }
  return {};
}

}  // namespace chat::server
