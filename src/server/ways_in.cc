// Ways in: listeners tagged by transport, credentials, and the per-worker
// stream factory.
#include "server/ways_in.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "transport/plain_stream.h"
#include "transport/tls_stream.h"
#include "web/page.h"

namespace chat::server {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
    return "localhost";
  }
  return name;
}

}  // namespace

bool OpenOtherListeners(const Options& options,
                        std::vector<Listener>* listeners, std::string* error) {
  struct Port {
    const std::optional<uint16_t>& port;
    WayIn way;
    const char* option;
  };
  const Port ports[] = {
      {options.tls_port, WayIn::kTls, "--tls-port"},
      {options.web_port, WayIn::kWeb, "--web-port"},
      {options.web_tls_port, WayIn::kWebTls, "--web-tls-port"}};
  for (const Port& p : ports) {
    if (!p.port) continue;
    auto opened = OpenListeners(options.bind, *p.port, error);
    if (!opened) {
      *error = std::string(p.option) + ": " + *error;
      return false;
    }
    for (Listener& listener : *opened) {
      listener.way = p.way;
      listeners->push_back(std::move(listener));
    }
  }
  return true;
}

std::unique_ptr<WaysIn> PrepareWaysIn(const Options& options, const Log& log,
                                      std::string* error) {
  auto ways = std::make_unique<WaysIn>();
  ways->web.page = web::Page();
  ways->web.origins = options.web_origins;
  if (!options.tls_port && !options.web_tls_port) return ways;
  if (!options.tls_cert.empty()) {
    ways->tls = transport::TlsCredentials::Load(options.tls_cert,
                                                options.tls_key, error);
    if (!ways->tls) return nullptr;
    return ways;
  }
  std::string directory;
  if (!options.ephemeral) {
    directory = options.data_dir.empty() ? "." : options.data_dir;
    if (mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = "--data-dir " + directory + ": " + std::strerror(errno);
      return nullptr;
    }
  }
  bool created = false;
  ways->tls = transport::TlsCredentials::SelfSigned(directory, HostName(),
                                                    &created, error);
  if (!ways->tls) return nullptr;
  if (created) {
    log.Info(kServerSubject,
             "created a self-signed TLS certificate" +
                 (directory.empty() ? std::string(" (in memory)")
                                    : " in " + directory + "/tls-cert.pem"));
  }
  return ways;
}

std::unique_ptr<transport::Stream> MakeStream(WayIn way, int fd,
                                              const WaysIn* ways_in,
                                              const char** what) {
  const bool tls = way == WayIn::kTls || way == WayIn::kWebTls;
  std::unique_ptr<transport::Stream> stream;
  if (tls) {
    if (ways_in == nullptr || !ways_in->tls) {
      *what = "no TLS credentials";
      return nullptr;
    }
    stream = transport::TlsStream::Server(fd, *ways_in->tls, what);
    if (!stream) return nullptr;
  } else {
    stream = std::make_unique<transport::PlainStream>(fd);
  }
  if (way == WayIn::kWeb || way == WayIn::kWebTls) {
    if (ways_in == nullptr) {
      *what = "no web configuration";
      return nullptr;
    }
    stream = std::make_unique<transport::WebSocketStream>(std::move(stream),
                                                          ways_in->web);
  }
  return stream;
}

}  // namespace chat::server
