// TlsClient: GnuTLS with pull/push functions over a memory buffer.
#include "transport/tls_client.h"

#include <arpa/inet.h>
#include <errno.h>

#include <cstring>

#include "transport/tls_credentials.h"

namespace chat::transport {
namespace {

bool IsAddress(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace

std::unique_ptr<TlsClient> TlsClient::Create(const std::string& host,
                                             SendFunction send,
                                             std::string* error) {
  std::unique_ptr<TlsClient> client(new TlsClient(host, std::move(send)));
  int rc = gnutls_certificate_allocate_credentials(&client->credentials_);
  if (rc == 0) {
    // The system's store may be missing or empty: trust on first use then.
    (void)gnutls_certificate_set_x509_system_trust(client->credentials_);
    rc = gnutls_init(&client->session_, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
  }
  if (rc == 0) {
    rc = gnutls_set_default_priority_append(client->session_, kPriorityAppend,
                                            nullptr, 0);
  }
  if (rc == 0) {
    rc = gnutls_credentials_set(client->session_, GNUTLS_CRD_CERTIFICATE,
                                client->credentials_);
  }
  if (rc == 0 && !IsAddress(host)) {
    rc = gnutls_server_name_set(client->session_, GNUTLS_NAME_DNS, host.data(),
                                host.size());
  }
  if (rc != 0) {
    *error = std::string("TLS: ") + gnutls_strerror(rc);
    return nullptr;
  }
  gnutls_transport_set_ptr(client->session_, client.get());
  gnutls_transport_set_pull_function(client->session_, Pull);
  gnutls_transport_set_push_function(client->session_, Push);
  gnutls_handshake_set_timeout(client->session_, 0);
  return client;
}

TlsClient::~TlsClient() {
  if (session_ != nullptr) gnutls_deinit(session_);
  if (credentials_ != nullptr)
    gnutls_certificate_free_credentials(credentials_);
}

ssize_t TlsClient::Pull(gnutls_transport_ptr_t self_pointer, void* data,
                        size_t size) {
  auto* self = static_cast<TlsClient*>(self_pointer);
  size_t available = self->in_.size() - self->in_head_;
  if (available == 0) {
    gnutls_transport_set_errno(self->session_, EAGAIN);
    return -1;
  }
  size_t n = std::min(size, available);
  std::memcpy(data, self->in_.data() + self->in_head_, n);
  self->in_head_ += n;
  if (self->in_head_ == self->in_.size()) {
    self->in_.clear();
    self->in_head_ = 0;
  }
  return static_cast<ssize_t>(n);
}

ssize_t TlsClient::Push(gnutls_transport_ptr_t self_pointer, const void* data,
                        size_t size) {
  auto* self = static_cast<TlsClient*>(self_pointer);
  self->send_(std::string_view(static_cast<const char*>(data), size));
  return static_cast<ssize_t>(size);
}

TlsClient::State TlsClient::Fail(int code, std::string* error) {
  if (code == GNUTLS_E_PREMATURE_TERMINATION) {
    state_ = State::kClosed;
    return state_;
  }
  state_ = State::kFailed;
  *error = std::string("TLS: ") + gnutls_strerror(code);
  return state_;
}

TlsClient::State TlsClient::Start(std::string* error) {
  return Feed({}, nullptr, error);
}

TlsClient::State TlsClient::Feed(std::string_view ciphertext,
                                 std::string* plain, std::string* error) {
  in_.append(ciphertext);
  if (state_ == State::kHandshaking) {
    int rc;
    do {
      rc = gnutls_handshake(session_);
    } while (rc == GNUTLS_E_INTERRUPTED ||
             (rc < 0 && rc != GNUTLS_E_AGAIN && !gnutls_error_is_fatal(rc)));
    if (rc == GNUTLS_E_AGAIN) return state_;
    if (rc < 0) return Fail(rc, error);
    state_ = State::kReady;
  }
  if (state_ != State::kReady || plain == nullptr) return state_;
  char buffer[16384];
  for (;;) {
    ssize_t n = gnutls_record_recv(session_, buffer, sizeof buffer);
    if (n > 0) {
      plain->append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      state_ = State::kClosed;
      return state_;
    }
    if (n == GNUTLS_E_AGAIN) return state_;
    if (n == GNUTLS_E_INTERRUPTED) continue;
    if (!gnutls_error_is_fatal(static_cast<int>(n))) continue;
    return Fail(static_cast<int>(n), error);
  }
}

bool TlsClient::Write(std::string_view plain, std::string* error) {
  while (!plain.empty()) {
    if (state_ != State::kReady) {
      *error = "TLS: the connection is not open";
      return false;
    }
    ssize_t n = gnutls_record_send(session_, plain.data(), plain.size());
    if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN) continue;
    if (n < 0) {
      Fail(static_cast<int>(n), error);
      return false;
    }
    plain.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void TlsClient::Bye() {
  if (state_ == State::kReady) gnutls_bye(session_, GNUTLS_SHUT_WR);
}

std::string TlsClient::PeerFingerprint() const {
  unsigned count = 0;
  const gnutls_datum_t* chain = gnutls_certificate_get_peers(session_, &count);
  if (chain == nullptr || count == 0) return {};
  return FingerprintOf(chain[0]);
}

bool TlsClient::SystemTrusted(std::string* why) const {
  // A certificate names hosts; for a bare address, the fingerprint decides.
  if (IsAddress(host_)) {
    *why = "the server was given as an address, not a name";
    return false;
  }
  unsigned status = 0;
  int rc = gnutls_certificate_verify_peers3(session_, host_.c_str(), &status);
  if (rc != 0) {
    *why = gnutls_strerror(rc);
    return false;
  }
  if (status == 0) return true;
  gnutls_datum_t text{};
  if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
                                                   &text, 0) == 0) {
    why->assign(reinterpret_cast<char*>(text.data), text.size);
    gnutls_free(text.data);
  }
  return false;
}

std::string TlsClient::Version() const {
  const char* name =
      gnutls_protocol_get_name(gnutls_protocol_get_version(session_));
  return name != nullptr ? name : "TLS";
}

std::string TlsClient::ServerRandom() const {
  gnutls_datum_t client{}, server{};
  gnutls_session_get_random(session_, &client, &server);
  return std::string(reinterpret_cast<char*>(server.data), server.size);
}

}  // namespace chat::transport
