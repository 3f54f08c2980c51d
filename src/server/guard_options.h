// The command-line options of the per-address limits (--limit-loopback,
// --exempt, ...), kept out of options.cc so that features add options
// without touching the same lines.
#ifndef CHAT_SERVER_GUARD_OPTIONS_H_
#define CHAT_SERVER_GUARD_OPTIONS_H_

#include <CLI/CLI.hpp>

#include "server/options.h"

namespace chat::server {

// Adds the options to `app`, storing into *options.
void AddGuardOptions(CLI::App& app, Options* options);

}  // namespace chat::server

#endif  // CHAT_SERVER_GUARD_OPTIONS_H_
