// TlsCredentials: the server's certificate, key and priorities, loaded once
// in the server's first process before any worker exists and then only read
// (every worker inherits them copy-on-write and never writes them: no
// session cache, no tickets). Without a certificate and key given, a
// self-signed ECDSA P-256 certificate for the host name is created on first
// start and kept in a directory (or, with none, only in memory).
#ifndef CHAT_TRANSPORT_TLS_CREDENTIALS_H_
#define CHAT_TRANSPORT_TLS_CREDENTIALS_H_

#include <gnutls/gnutls.h>

#include <memory>
#include <string>
#include <string_view>

namespace chat::transport {

class TlsCredentials {
 public:
  // From PEM files. nullptr and *error on failure.
  static std::unique_ptr<TlsCredentials> Load(const std::string& cert_file,
                                              const std::string& key_file,
                                              std::string* error);
  // The self-signed certificate in `directory` (tls-cert.pem, tls-key.pem),
  // created there for `host` if absent; an empty `directory` creates one in
  // memory only. *created tells whether it is new.
  static std::unique_ptr<TlsCredentials> SelfSigned(
      const std::string& directory, const std::string& host, bool* created,
      std::string* error);

  ~TlsCredentials();
  TlsCredentials(const TlsCredentials&) = delete;
  TlsCredentials& operator=(const TlsCredentials&) = delete;

  gnutls_certificate_credentials_t certificate() const { return credentials_; }
  gnutls_priority_t priority() const { return priority_; }
  // "SHA256:" and 64 lower-case hex digits of the certificate (DER).
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  TlsCredentials() = default;
  // Priorities and fingerprint, once the certificate is in credentials_.
  bool Finish(std::string* error);

  gnutls_certificate_credentials_t credentials_ = nullptr;
  gnutls_priority_t priority_ = nullptr;
  std::string fingerprint_;
};

// "SHA256:<hex>" of a DER certificate.
std::string FingerprintOf(const gnutls_datum_t& der);

// TLS 1.3 and 1.2 only, on top of the system's default (secure) priority
// string: used by the server and the console client alike.
inline constexpr const char* kPriorityAppend =
    "-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";

}  // namespace chat::transport

#endif  // CHAT_TRANSPORT_TLS_CREDENTIALS_H_
