// TlsStream over GnuTLS with the socket as its transport (no copy of ours in
// between): records are read and written by GnuTLS itself with recv/send.
#include "transport/tls_stream.h"

#include <gnutls/crypto.h>

#include <algorithm>

namespace chat::transport {
namespace {

// One record's worth of plaintext per send: whatever the output holds,
// a Write never makes GnuTLS buffer more than one record.
constexpr size_t kMaxRecord = 16384;

}  // namespace

std::unique_ptr<TlsStream> TlsStream::Server(int fd,
                                             const TlsCredentials& credentials,
                                             const char** what) {
  // Workers are created by clone() from a process that may already have
  // used GnuTLS's random generator (creating the certificate), and GnuTLS
  // notices a new process only through pthread_atfork, which a raw clone
  // does not run: without this every worker would draw the same "random"
  // numbers. The refresh reseeds every generator from the kernel.
  gnutls_rnd_refresh();
  gnutls_session_t session = nullptr;
  // No session tickets and no cache: nothing a worker learns outlives it.
  int rc = gnutls_init(&session,
                       GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS);
  if (rc == 0) rc = gnutls_priority_set(session, credentials.priority());
  if (rc == 0) {
    rc = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE,
                                credentials.certificate());
  }
  if (rc != 0) {
    *what = gnutls_strerror(rc);
    if (session != nullptr) gnutls_deinit(session);
    return nullptr;
  }
  gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
  // The session's join timeout bounds the handshake instead.
  gnutls_handshake_set_timeout(session, 0);
  gnutls_transport_set_int(session, fd);
  return std::unique_ptr<TlsStream>(new TlsStream(fd, session));
}

TlsStream::~TlsStream() { gnutls_deinit(session_); }

Result TlsStream::Failed(int code) {
  Result result;
  if (code == GNUTLS_E_PREMATURE_TERMINATION || code == GNUTLS_E_PUSH_ERROR ||
      code == GNUTLS_E_PULL_ERROR) {
    result.status = Status::kClosed;
  } else {
    result.status = Status::kError;
  }
  result.what = gnutls_strerror(code);
  return result;
}

Result TlsStream::Open() {
  if (established_) return {};
  int rc;
  do {
    rc = gnutls_handshake(session_);
  } while (rc == GNUTLS_E_INTERRUPTED);
  if (rc == 0) {
    established_ = true;
    blocked_on_write_ = false;
    return {};
  }
  if (rc == GNUTLS_E_AGAIN) {
    blocked_on_write_ = gnutls_record_get_direction(session_) == 1;
    return {Status::kWouldBlock};
  }
  if (gnutls_error_is_fatal(rc) == 0) return {Status::kWouldBlock};
  return Failed(rc);
}

Result TlsStream::Read(char* buffer, size_t capacity) {
  if (!established_) {
    Result opened = Open();
    if (opened.status != Status::kOk) return opened;
  }
  for (;;) {
    ssize_t n = gnutls_record_recv(session_, buffer, capacity);
    if (n > 0) {
      blocked_on_write_ = false;
      return {Status::kOk, static_cast<size_t>(n)};
    }
    if (n == 0) return {Status::kClosed};  // close_notify
    if (n == GNUTLS_E_INTERRUPTED) continue;
    if (n == GNUTLS_E_AGAIN) {
      blocked_on_write_ = gnutls_record_get_direction(session_) == 1;
      return {Status::kWouldBlock};
    }
    // A warning alert, or a renegotiation request GnuTLS refuses itself.
    if (gnutls_error_is_fatal(static_cast<int>(n)) == 0) continue;
    return Failed(static_cast<int>(n));
  }
}

Result TlsStream::Flush() {
  if (pending_send_ == 0 && established_ && blocked_on_write_) {
    // Nothing of ours is pending: sending nothing flushes what GnuTLS
    // buffered for itself.
    ssize_t n = gnutls_record_send(session_, nullptr, 0);
    if (n == GNUTLS_E_AGAIN) return {Status::kWouldBlock};
    blocked_on_write_ = false;
    if (n < 0 && n != GNUTLS_E_INTERRUPTED) return Failed(static_cast<int>(n));
    return {};
  }
  while (pending_send_ != 0) {
    ssize_t n = gnutls_record_send(session_, nullptr, 0);
    if (n >= 0) {
      pending_send_ = 0;
      blocked_on_write_ = false;
      break;
    }
    if (n == GNUTLS_E_INTERRUPTED) continue;
    if (n == GNUTLS_E_AGAIN) {
      blocked_on_write_ = true;
      return {Status::kWouldBlock};
    }
    pending_send_ = 0;
    return Failed(static_cast<int>(n));
  }
  return {};
}

Result TlsStream::Write(std::string_view bytes) {
  if (!established_) {
    Result opened = Open();
    if (opened.status != Status::kOk) return opened;
  }
  if (pending_send_ != 0) {
    Result flushed = Flush();
    if (flushed.status != Status::kOk) return flushed;
  }
  size_t size = std::min(bytes.size(), kMaxRecord);
  for (;;) {
    ssize_t n = gnutls_record_send(session_, bytes.data(), size);
    if (n > 0) {
      blocked_on_write_ = false;
      return {Status::kOk, static_cast<size_t>(n)};
    }
    if (n == GNUTLS_E_INTERRUPTED) continue;
    if (n == GNUTLS_E_AGAIN) {
      // The record is made and partly sent: its bytes are ours now.
      pending_send_ = size;
      blocked_on_write_ = true;
      return {Status::kOk, size};
    }
    return Failed(static_cast<int>(n));
  }
}

bool TlsStream::has_buffered_input() const {
  return established_ && gnutls_record_check_pending(session_) > 0;
}

short TlsStream::Events(bool want_read, bool want_write) const {
  if (!established_) return blocked_on_write_ ? POLLOUT : POLLIN;
  short events = static_cast<short>(want_read ? POLLIN : 0);
  if (want_write || pending_send_ != 0 || blocked_on_write_) {
    events |= POLLOUT;
  }
  return events;
}

void TlsStream::Close(CloseReason) {
  if (!established_) return;
  Flush();
  int rc;
  do {
    rc = gnutls_bye(session_, GNUTLS_SHUT_WR);
  } while (rc == GNUTLS_E_INTERRUPTED);
  // Best effort: a full socket drops the close_notify (GNUTLS_E_AGAIN).
}

}  // namespace chat::transport
