// The server's command line: the Options every part of the server reads, and
// their parsing and validation (CLI11), kept apart from main() so that tests
// can check each option without starting a process.
#ifndef CHAT_SERVER_OPTIONS_H_
#define CHAT_SERVER_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/address_limits.h"
#include "server/address_policy.h"
#include "server/flood.h"
#include "server/keepalive.h"
#include "server/log.h"

namespace chat::server {

// The name `make install` gives the program, and its release.
inline constexpr std::string_view kServerName = "chat-server";
inline constexpr std::string_view kServerRelease = "1.0";

struct Options {
  uint16_t port = 0;  // 0: the kernel picks a free port
  std::string bind;   // empty: every address, IPv6 and IPv4, on one socket
  uint32_t max_users = 10;
  // Every connection is a process, so this also bounds the process count.
  uint32_t max_connections = 256;
  size_t send_queue = 1 << 20;  // bytes of undelivered output per client
  uint32_t join_timeout_seconds = 60;
  uint32_t max_rooms = 1000;  // rooms on the server at once
  bool privacy_ask = false;   // --privacy: a new user's setting
  LogLevel log_level = LogLevel::kInfo;

  // File transfer (file_options.cc).
  uint64_t max_file_size =
      64ull * 1024 * 1024;                    // bytes a FILE OFFER may announce
  uint32_t file_offer_timeout_seconds = 300;  // an offer waits for its answer
  uint32_t file_stall_timeout_seconds = 60;   // a transfer without DATA/ACK

  // The store (store/): accounts, mailboxes, history, the audit log.
  std::string data_dir = ".";  // holds chat-server.db
  bool ephemeral = false;      // no database, no store process
  uint32_t mailbox = 100;      // messages waiting per account
  uint32_t mailbox_days = 30;  // days a waiting message is kept
  uint32_t history_days = 7;   // days messages are kept (0: none)

  // The other ways in (PROTOCOL.md "Ways in"; transport_options.cc).
  std::optional<uint16_t> tls_port;
  std::optional<uint16_t> web_port;
  std::optional<uint16_t> web_tls_port;
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> web_origins;

  // Per-address limits (guard_options.cc).
  AddressPolicy address_policy;        // who the limits apply to
  KeepaliveOptions keepalive;          // dead peers (keepalive.h)
  AddressLimitsConfig address_limits;  // per-address connection limits

  // Flood control (flood.h): nullopt with --flood off.
  std::optional<FloodLimit> flood = kDefaultFlood;
  // The worker sandbox and privileges (sandbox_options.cc).
  bool sandbox = true;  // --no-sandbox clears it (debugging only)
  std::string user;     // --user: the account every process runs as
};

// Exit statuses of the server process.
inline constexpr int kExitOk = 0;       // shut down by SIGTERM/SIGINT
inline constexpr int kExitFailure = 1;  // could not start, or failed
inline constexpr int kExitUsage = 2;    // bad command line

// What main() does with a command line: run with `options`, or print `out`
// (to stdout) and `err` (to stderr) and exit with `exit_status`.
struct ParsedCommandLine {
  // What the program calls itself (command_line/program_name.h).
  std::string program;
  std::optional<Options> options;
  int exit_status = kExitOk;
  std::string out;
  std::string err;
};

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv);

}  // namespace chat::server

#endif  // CHAT_SERVER_OPTIONS_H_
