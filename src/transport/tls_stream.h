// TlsStream: protocol lines inside TLS 1.2/1.3 (GnuTLS) on a non-blocking
// TCP socket, the server's end. The handshake is the stream's opening; the
// join timeout of the session above bounds it like any other silence.
#ifndef CHAT_TRANSPORT_TLS_STREAM_H_
#define CHAT_TRANSPORT_TLS_STREAM_H_

#include <gnutls/gnutls.h>

#include <memory>

#include "transport/stream.h"
#include "transport/tls_credentials.h"

namespace chat::transport {

class TlsStream final : public Stream {
 public:
  // nullptr and *what on failure. `fd` stays owned by the caller;
  // `credentials` must outlive the stream.
  static std::unique_ptr<TlsStream> Server(int fd,
                                           const TlsCredentials& credentials,
                                           const char** what);
  ~TlsStream() override;

  int fd() const override { return fd_; }
  bool established() const override { return established_; }
  Result Open() override;
  Result Read(char* buffer, size_t capacity) override;
  Result Write(std::string_view bytes) override;
  // Also while GnuTLS itself waits to write (a TLS 1.3 key update answered
  // while the socket was full), so that the caller's Flush moves it on.
  bool has_pending_output() const override {
    return pending_send_ != 0 || (established_ && blocked_on_write_);
  }
  Result Flush() override;
  bool has_buffered_input() const override;
  short Events(bool want_read, bool want_write) const override;
  void Close(CloseReason reason) override;
  const char* name() const override { return "tls"; }

 private:
  TlsStream(int fd, gnutls_session_t session) : fd_(fd), session_(session) {}
  // A GnuTLS error code as a Result.
  Result Failed(int code);

  int fd_;
  gnutls_session_t session_;
  bool established_ = false;
  // Bytes of a record gnutls_record_send took but could not put on the
  // socket yet (GNUTLS_E_AGAIN); it is finished by sending (NULL, 0).
  size_t pending_send_ = 0;
  // What the last call that would block was waiting for.
  bool blocked_on_write_ = false;
};

}  // namespace chat::transport

#endif  // CHAT_TRANSPORT_TLS_STREAM_H_
