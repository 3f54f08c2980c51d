// --flood (flood.h), kept out of options.cc so that features add options
// without touching the same lines.
#ifndef CHAT_SERVER_FLOOD_OPTIONS_H_
#define CHAT_SERVER_FLOOD_OPTIONS_H_

#include <CLI/CLI.hpp>

#include "server/options.h"

namespace chat::server {

void AddFloodOptions(CLI::App& app, Options* options);

}  // namespace chat::server

#endif  // CHAT_SERVER_FLOOD_OPTIONS_H_
