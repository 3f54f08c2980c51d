// The command-line options of file transfer (--max-file-size,
// --file-offer-timeout, --file-stall-timeout), kept out of options.cc like
// the ways in's (transport_options.h).
#ifndef CHAT_SERVER_FILE_OPTIONS_H_
#define CHAT_SERVER_FILE_OPTIONS_H_

#include "server/file_transfer.h"
#include "server/options.h"

namespace CLI {
class App;
}  // namespace CLI

namespace chat::server {

// Adds the options to `app`, storing into *options.
void AddFileOptions(CLI::App& app, Options* options);

// The broker's limits from the options.
FileLimits FileLimitsOf(const Options& options);

}  // namespace chat::server

#endif  // CHAT_SERVER_FILE_OPTIONS_H_
