// TlsClient: the client's end of TLS, with no socket of its own: ciphertext
// goes in through Feed() and out through a callback, so it runs on any event
// loop (the console client's libuv loop, no threads). It verifies nothing by
// itself: the caller decides from SystemTrusted() and PeerFingerprint()
// (trust on first use, a pinned fingerprint).
#ifndef CHAT_TRANSPORT_TLS_CLIENT_H_
#define CHAT_TRANSPORT_TLS_CLIENT_H_

#include <gnutls/gnutls.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace chat::transport {

class TlsClient {
 public:
  using SendFunction = std::function<void(std::string_view ciphertext)>;
  enum class State { kHandshaking, kReady, kClosed, kFailed };

  // For a server reached as `host` (a name is sent as SNI and checked by
  // SystemTrusted). nullptr and *error on failure.
  static std::unique_ptr<TlsClient> Create(const std::string& host,
                                           SendFunction send,
                                           std::string* error);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // Sends the ClientHello.
  State Start(std::string* error);
  // Ciphertext from the server; plaintext is appended to *plain.
  State Feed(std::string_view ciphertext, std::string* plain,
             std::string* error);
  // Encrypts and sends; false with *error once the session failed.
  bool Write(std::string_view plain, std::string* error);
  // Sends close_notify.
  void Bye();

  State state() const { return state_; }
  // "SHA256:<hex>" of the server's certificate; empty before kReady.
  std::string PeerFingerprint() const;
  // Whether the system's trust store vouches for the certificate for the
  // host; *why tells why not.
  bool SystemTrusted(std::string* why) const;
  // "TLS1.3", for messages.
  std::string Version() const;
  // The server's hello random, for tests that check it differs.
  std::string ServerRandom() const;

 private:
  TlsClient(std::string host, SendFunction send)
      : host_(std::move(host)), send_(std::move(send)) {}
  static ssize_t Pull(gnutls_transport_ptr_t self, void* data, size_t size);
  static ssize_t Push(gnutls_transport_ptr_t self, const void* data,
                      size_t size);
  State Fail(int code, std::string* error);

  std::string host_;
  SendFunction send_;
  gnutls_certificate_credentials_t credentials_ = nullptr;
  gnutls_session_t session_ = nullptr;
  State state_ = State::kHandshaking;
  std::string in_;  // ciphertext not yet taken by GnuTLS
  size_t in_head_ = 0;
};

}  // namespace chat::transport

#endif  // CHAT_TRANSPORT_TLS_CLIENT_H_
