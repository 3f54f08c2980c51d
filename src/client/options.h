// Command-line options of the client: HOST PORT (or --host/--port), --user,
// --no-color, --tls, --fingerprint, accounts, --download-dir, --help and
// --version, parsed with CLI11.
#ifndef CHAT_CLIENT_OPTIONS_H_
#define CHAT_CLIENT_OPTIONS_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>

namespace chat::client {

// The name `make install` gives the program, and its release.
inline constexpr const char* kClientName = "chat-client";
inline constexpr const char* kClientRelease = "1.0";

struct Options {
  // What the program calls itself (command_line/program_name.h).
  std::string program = kClientName;
  std::string host;  // an IPv6 address without brackets
  uint16_t port = 0;
  std::optional<std::string> user;
  bool no_color = false;
  // TLS to the server's TLS port (known_servers.h decides on trust);
  // --fingerprint pins the certificate and implies --tls.
  bool tls = false;
  std::optional<std::string> fingerprint;
  // Accounts: LOGIN or REGISTER instead of JOIN; the password's file.
  bool login = false;
  bool register_account = false;
  std::string password_file;
  // Where received files are saved (file_transfers.h).
  std::string download_dir = ".";
};

// The options, or the exit status to end with right away: 0 after --help or
// --version (printed to `out`), kExitUsage after a usage error (on `err`:
// one line, or for a missing HOST or PORT what is missing and the usage).
std::variant<Options, int> ParseOptions(int argc, const char* const* argv,
                                        std::ostream& out, std::ostream& err);

}  // namespace chat::client

#endif  // CHAT_CLIENT_OPTIONS_H_
