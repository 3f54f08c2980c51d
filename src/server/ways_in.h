// The ways in besides the plain port (PROTOCOL.md "Ways in"): their
// listeners, what their workers need read-only (TLS credentials, the web
// page and Origin allow-list), prepared once in the server's first process
// before the spawner starts, and the transport a worker makes for its
// connection from them.
#ifndef CHAT_SERVER_WAYS_IN_H_
#define CHAT_SERVER_WAYS_IN_H_

#include <memory>
#include <string>
#include <vector>

#include "server/listener.h"
#include "server/log.h"
#include "server/options.h"
#include "server/way_in.h"
#include "transport/stream.h"
#include "transport/tls_credentials.h"
#include "transport/websocket_stream.h"

namespace chat::server {

struct WaysIn {
  std::unique_ptr<transport::TlsCredentials> tls;  // null without TLS ports
  transport::WebConfig web;
};

// Opens the listeners of --tls-port, --web-port and --web-tls-port (on the
// same addresses as the plain port) and appends them to *listeners.
bool OpenOtherListeners(const Options& options,
                        std::vector<Listener>* listeners, std::string* error);

// Loads --tls-cert/--tls-key, or the self-signed certificate (created on
// first start in --data-dir, or in memory with --ephemeral), when a TLS
// port is asked for; and the web page and allowed origins.
std::unique_ptr<WaysIn> PrepareWaysIn(const Options& options, const Log& log,
                                      std::string* error);

// The stream a worker speaks on `fd` for a connection that came in `way`;
// nullptr with *what set if it cannot be made.
std::unique_ptr<transport::Stream> MakeStream(WayIn way, int fd,
                                              const WaysIn* ways_in,
                                              const char** what);

}  // namespace chat::server

#endif  // CHAT_SERVER_WAYS_IN_H_
