// Loading or creating the server's certificate with GnuTLS's x509 API.
#include "transport/tls_credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

namespace chat::transport {
namespace {

constexpr const char* kCertName = "tls-cert.pem";
constexpr const char* kKeyName = "tls-key.pem";
// A self-signed certificate is pinned by its fingerprint (trust on first
// use), so it is made to last: a new one would look like an attack.
constexpr time_t kValiditySeconds = time_t{20} * 365 * 24 * 3600;

std::string GnutlsError(std::string_view what, int code) {
  return std::string(what) + ": " + gnutls_strerror(code);
}

// Writes `data` to `path` with `mode`, via a temporary name and rename, so
// that a crash never leaves half a key.
bool WriteFileAtomically(const std::string& path, std::string_view data,
                         mode_t mode, std::string* error) {
  std::string temporary = path + ".new";
  int fd =
      open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    *error = "cannot create " + temporary + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "cannot write " + temporary + ": " + std::strerror(errno);
      close(fd);
      unlink(temporary.c_str());
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 ||
      rename(temporary.c_str(), path.c_str()) != 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    unlink(temporary.c_str());
    return false;
  }
  return true;
}

struct Generated {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed ECDSA P-256 certificate for `host` (and localhost).
bool Generate(const std::string& host, Generated* out, std::string* error) {
  gnutls_x509_privkey_t key = nullptr;
  gnutls_x509_crt_t crt = nullptr;
  gnutls_datum_t pem{};
  int rc = gnutls_x509_privkey_init(&key);
  if (rc == 0) {
    rc = gnutls_x509_privkey_generate(
        key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
        0);
  }
  if (rc == 0) rc = gnutls_x509_crt_init(&crt);
  unsigned char serial[16];
  if (rc == 0) rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial);
  serial[0] &= 0x7F;  // a positive number
  const time_t now = std::time(nullptr);
  if (rc == 0) rc = gnutls_x509_crt_set_version(crt, 3);
  if (rc == 0) rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial);
  if (rc == 0) rc = gnutls_x509_crt_set_activation_time(crt, now - 3600);
  if (rc == 0) {
    rc = gnutls_x509_crt_set_expiration_time(crt, now + kValiditySeconds);
  }
  if (rc == 0) {
    rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                       host.data(),
                                       static_cast<unsigned>(host.size()));
  }
  for (const std::string& name : {host, std::string("localhost")}) {
    if (rc == 0) {
      rc = gnutls_x509_crt_set_subject_alt_name(
          crt, GNUTLS_SAN_DNSNAME, name.data(),
          static_cast<unsigned>(name.size()), GNUTLS_FSAN_APPEND);
    }
  }
  if (rc == 0) rc = gnutls_x509_crt_set_key(crt, key);
  if (rc == 0) rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
  if (rc == 0) {
    rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
  }
  if (rc == 0) {
    rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
  }
  if (rc == 0) rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
  if (rc == 0) rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem);
  if (rc == 0) {
    out->cert_pem.assign(reinterpret_cast<char*>(pem.data), pem.size);
    gnutls_free(pem.data);
    pem = {};
    rc = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &pem);
  }
  if (rc == 0) {
    out->key_pem.assign(reinterpret_cast<char*>(pem.data), pem.size);
    gnutls_free(pem.data);
  }
  if (crt != nullptr) gnutls_x509_crt_deinit(crt);
  if (key != nullptr) gnutls_x509_privkey_deinit(key);
  if (rc != 0) *error = GnutlsError("creating a certificate", rc);
  return rc == 0;
}

}  // namespace

std::string FingerprintOf(const gnutls_datum_t& der) {
  unsigned char digest[32];
  size_t size = sizeof digest;
  if (gnutls_fingerprint(GNUTLS_DIG_SHA256, &der, digest, &size) != 0) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "SHA256:";
  for (size_t i = 0; i < size; ++i) {
    text += kHex[digest[i] >> 4];
    text += kHex[digest[i] & 15];
  }
  return text;
}

TlsCredentials::~TlsCredentials() {
  if (priority_ != nullptr) gnutls_priority_deinit(priority_);
  if (credentials_ != nullptr)
    gnutls_certificate_free_credentials(credentials_);
}

bool TlsCredentials::Finish(std::string* error) {
  const char* error_at = nullptr;
  int rc = gnutls_priority_init2(&priority_, kPriorityAppend, &error_at,
                                 GNUTLS_PRIORITY_INIT_DEF_APPEND);
  if (rc != 0) {
    *error = GnutlsError("TLS priorities", rc);
    return false;
  }
  gnutls_datum_t der{};
  rc = gnutls_certificate_get_crt_raw(credentials_, 0, 0, &der);
  if (rc != 0) {
    *error = GnutlsError("TLS certificate", rc);
    return false;
  }
  fingerprint_ = FingerprintOf(der);
  return !fingerprint_.empty();
}

std::unique_ptr<TlsCredentials> TlsCredentials::Load(
    const std::string& cert_file, const std::string& key_file,
    std::string* error) {
  std::unique_ptr<TlsCredentials> tls(new TlsCredentials);
  int rc = gnutls_certificate_allocate_credentials(&tls->credentials_);
  if (rc != 0) {
    *error = GnutlsError("TLS credentials", rc);
    return nullptr;
  }
  rc = gnutls_certificate_set_x509_key_file2(
      tls->credentials_, cert_file.c_str(), key_file.c_str(),
      GNUTLS_X509_FMT_PEM, nullptr, 0);
  if (rc < 0) {
    *error =
        GnutlsError("--tls-cert " + cert_file + " / --tls-key " + key_file, rc);
    return nullptr;
  }
  if (!tls->Finish(error)) return nullptr;
  return tls;
}

std::unique_ptr<TlsCredentials> TlsCredentials::SelfSigned(
    const std::string& directory, const std::string& host, bool* created,
    std::string* error) {
  *created = false;
  Generated pems;
  std::string cert_path, key_path;
  if (!directory.empty()) {
    cert_path = directory + "/" + kCertName;
    key_path = directory + "/" + kKeyName;
    if (access(cert_path.c_str(), F_OK) == 0 ||
        access(key_path.c_str(), F_OK) == 0) {
      return Load(cert_path, key_path, error);
    }
  }
  if (!Generate(host, &pems, error)) return nullptr;
  if (!directory.empty()) {
    // The key first: a certificate on disk always has its key.
    if (!WriteFileAtomically(key_path, pems.key_pem, 0600, error) ||
        !WriteFileAtomically(cert_path, pems.cert_pem, 0644, error)) {
      return nullptr;
    }
  }
  *created = true;
  std::unique_ptr<TlsCredentials> tls(new TlsCredentials);
  int rc = gnutls_certificate_allocate_credentials(&tls->credentials_);
  gnutls_datum_t cert{reinterpret_cast<unsigned char*>(pems.cert_pem.data()),
                      static_cast<unsigned>(pems.cert_pem.size())};
  gnutls_datum_t key{reinterpret_cast<unsigned char*>(pems.key_pem.data()),
                     static_cast<unsigned>(pems.key_pem.size())};
  if (rc == 0) {
    rc = gnutls_certificate_set_x509_key_mem2(tls->credentials_, &cert, &key,
                                              GNUTLS_X509_FMT_PEM, nullptr, 0);
  }
  if (rc < 0) {
    *error = GnutlsError("TLS certificate", rc);
    return nullptr;
  }
  if (!tls->Finish(error)) return nullptr;
  return tls;
}

}  // namespace chat::transport
