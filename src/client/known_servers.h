// Trust in a TLS server's certificate, decided as ssh does: a certificate
// the system trusts for the host is accepted; otherwise the SHA-256
// fingerprint is remembered per host and port in
// $XDG_DATA_HOME/chat-client/known_servers on first use, and a later change
// is refused with both fingerprints shown. --fingerprint pins one instead.
#ifndef CHAT_CLIENT_KNOWN_SERVERS_H_
#define CHAT_CLIENT_KNOWN_SERVERS_H_

#include <cstdint>
#include <optional>
#include <string>

namespace chat::client {

struct TrustDecision {
  bool accepted = false;
  // What to tell the user (to stderr): a note on first use, or the refusal.
  std::string message;
};

struct PeerCertificate {
  std::string host;
  uint16_t port = 0;
  std::string fingerprint;  // "SHA256:<hex>"
  bool system_trusted = false;
};

// $XDG_DATA_HOME/chat-client/known_servers, or
// $HOME/.local/share/chat-client/known_servers.
std::string KnownServersPath();

// Decides, and remembers a first-seen fingerprint in `path`.
TrustDecision DecideTrust(const PeerCertificate& peer,
                          const std::optional<std::string>& pinned,
                          const std::string& path);

}  // namespace chat::client

#endif  // CHAT_CLIENT_KNOWN_SERVERS_H_
