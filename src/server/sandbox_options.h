// The command-line options of the sandbox and of privileges: --no-sandbox
// and --user NAME (kept out of options.cc, as transport_options.h is).
#ifndef CHAT_SERVER_SANDBOX_OPTIONS_H_
#define CHAT_SERVER_SANDBOX_OPTIONS_H_

#include <CLI/CLI.hpp>

#include "server/options.h"

namespace chat::server {

// Adds the options to `app`, storing into *options.
void AddSandboxOptions(CLI::App& app, Options* options);

}  // namespace chat::server

#endif  // CHAT_SERVER_SANDBOX_OPTIONS_H_
