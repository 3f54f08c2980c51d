// known_servers: one line per server, "HOST PORT SHA256:<hex>"; lines
// starting with # are comments.
#include "client/known_servers.h"

#include <errno.h>
#include <strings.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace chat::client {
namespace {

bool SameFingerprint(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strcasecmp(a.c_str(), b.c_str()) == 0;
}

// mkdir -p for the directory part of `path`.
bool MakeParents(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string directory = path.substr(0, slash);
    if (mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  return true;
}

}  // namespace

std::string KnownServersPath() {
  const char* data = std::getenv("XDG_DATA_HOME");
  if (data != nullptr && data[0] == '/') {
    return std::string(data) + "/chat-client/known_servers";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") +
         "/.local/share/chat-client/known_servers";
}

TrustDecision DecideTrust(const PeerCertificate& peer,
                          const std::optional<std::string>& pinned,
                          const std::string& path) {
  const std::string server = peer.host + " port " + std::to_string(peer.port);
  if (pinned) {
    if (SameFingerprint(*pinned, peer.fingerprint)) return {true, ""};
    return {false,
            "REFUSED: the certificate of " + server +
                " does not match --fingerprint.\n  expected: " + *pinned +
                "\n  received: " + peer.fingerprint + "\nNot connecting."};
  }
  if (peer.system_trusted) return {true, ""};

  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string host, port, fingerprint;
    if (!(fields >> host >> port >> fingerprint)) continue;
    if (host != peer.host || port != std::to_string(peer.port)) continue;
    if (SameFingerprint(fingerprint, peer.fingerprint)) return {true, ""};
    return {false,
            "WARNING: THE CERTIFICATE OF " + server +
                " HAS CHANGED!\n  remembered: " + fingerprint +
                "\n  received:   " + peer.fingerprint +
                "\nSomeone may be intercepting the connection, or the server "
                "has a new certificate. Not connecting.\nIf the change is "
                "expected, remove line " +
                std::to_string(number) + " of " + path +
                " or pass --fingerprint " + peer.fingerprint + "."};
  }

  TrustDecision decision{true, ""};
  decision.message = "The certificate of " + server +
                     " is not known; its fingerprint is " + peer.fingerprint +
                     ".\nTrusting it from now on (remembered in " + path + ").";
  std::ofstream out;
  if (MakeParents(path)) out.open(path, std::ios::app);
  if (out) {
    out << peer.host << ' ' << peer.port << ' ' << peer.fingerprint << '\n';
  }
  if (!out) {
    decision.message = "The certificate of " + server + " (fingerprint " +
                       peer.fingerprint + ") could not be remembered in " +
                       path + ": " + std::strerror(errno) +
                       ". Trusting it for this connection only.";
  }
  return decision;
}

}  // namespace chat::client
