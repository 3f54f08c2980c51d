// The command-line options of the ways in (--tls-port, --web-port, ...),
// kept out of options.cc so that features add options without touching the
// same lines.
#ifndef CHAT_SERVER_TRANSPORT_OPTIONS_H_
#define CHAT_SERVER_TRANSPORT_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "server/options.h"

namespace chat::server {

// Adds the options to `app`, storing into *options. Also adds --data-dir
// and --ephemeral unless another part already did.
void AddTransportOptions(CLI::App& app, Options* options);

// After parsing: an empty string, or the usage error to report.
std::string CheckTransportOptions(const Options& options);

}  // namespace chat::server

#endif  // CHAT_SERVER_TRANSPORT_OPTIONS_H_
