// Command-line options of the client: HOST PORT (or --host/--port), --user,
// --no-color, --tls, --fingerprint, --help and --version, parsed with CLI11.
#ifndef CHAT_CLIENT_OPTIONS_H_
#define CHAT_CLIENT_OPTIONS_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>

namespace chat::client {

inline constexpr const char* kClientVersion = "chat-client 1.0";

struct Options {
  std::string host;
  uint16_t port = 0;
  std::optional<std::string> user;
  bool no_color = false;
  // TLS to the server's TLS port (known_servers.h decides on trust);
  // --fingerprint pins the certificate and implies --tls.
  bool tls = false;
  std::optional<std::string> fingerprint;
};

// The options, or the exit status to end with right away: 0 after --help or
// --version (printed to `out`), kExitUsage after a usage error (one message
// on `err`).
std::variant<Options, int> ParseOptions(int argc, const char* const* argv,
                                        std::ostream& out, std::ostream& err);

}  // namespace chat::client

#endif  // CHAT_CLIENT_OPTIONS_H_
