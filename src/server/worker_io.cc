// The worker's I/O (worker_process.h): writes to the client and the broker,
// reads from them and from the signalfd, each as one step of a turn.
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/log.h"
#include "server/password.h"
#include "server/worker_process.h"

namespace chat::server::worker_internal {

void Worker::ReleaseBufferPages() {
  if (buffer_touched_ <= kPageSize) return;
  // The kernel maps fresh zero pages on the next touch.
  size_t end = (buffer_touched_ + kPageSize - 1) / kPageSize * kPageSize;
  (void)madvise(io_buffer + kPageSize, end - kPageSize, MADV_DONTNEED);
  buffer_touched_ = 0;
}

void Worker::FlushChannel() {
  if (!channel_.has_queued()) return;
  switch (channel_.Flush()) {
    case ipc::ChannelStatus::kOk:
    case ipc::ChannelStatus::kWouldBlock:
      return;
    case ipc::ChannelStatus::kClosed:
      session_.OnBrokerGone();
      return;
    case ipc::ChannelStatus::kError:
      session_.OnInternalError(ErrnoText("channel send", errno));
      return;
  }
}

bool Worker::FlushStream() {
  transport::Result result = stream_->Flush();
  if (result.status != transport::Status::kOk &&
      result.status != transport::Status::kWouldBlock) {
    OnSendFailed(result);
    return false;
  }
  return !stream_->has_pending_output();
}

void Worker::OpenStream() {
  transport::Result result = stream_->Open();
  if (result.status == transport::Status::kOk ||
      result.status == transport::Status::kWouldBlock) {
    return;
  }
  client_write_failed_ = true;
  OnStreamEnd(result, stream_->name());
}

void Worker::OnStreamEnd(const transport::Result& result, const char* doing) {
  if (result.status == transport::Status::kClosed) {
    if (result.what != nullptr && log_.info()) {
      log_.Info(subject_, std::string(doing) + ": " + result.what);
    }
    session_.OnClientClosed();
    return;
  }
  if (result.what != nullptr) {
    log_.Error(subject_, std::string(doing) + ": " + result.what);
  } else {
    log_.Error(subject_, ErrnoText(doing, result.error));
  }
  session_.OnClientError();
}

void Worker::WriteClient() {
  if (stream_->has_pending_output() && !FlushStream()) return;
  OutputBuffer& output = session_.output();
  session_.FeedFiles();
  while (!output.empty() && !client_write_failed_) {
    size_t written = SendToClient(output.pending());
    if (written == 0) return;
    output.Consume(written);
    // The next chunk of an incoming file, only now that the output is
    // (nearly) empty: chat lines never wait behind more than one.
    session_.FeedFiles();
  }
}

size_t Worker::SendToClient(std::string_view bytes) {
  transport::Result result = stream_->Write(bytes);
  switch (result.status) {
    case transport::Status::kOk:
      return result.bytes;
    case transport::Status::kWouldBlock:
      return 0;
    case transport::Status::kClosed:
    case transport::Status::kError:
      OnSendFailed(result);
      return 0;
  }
  return 0;
}

void Worker::OnSendFailed(const transport::Result& result) {
  client_write_failed_ = true;
  // The client closed both ways after sending: its remaining lines are
  // still handled, their answers dropped (Turn).
  if (client_eof_) return;
  OnStreamEnd(result, "send");
}

void Worker::Deliver(const ipc::FrameView& frame) {
  ipc::FrameView rest = frame;
  // The same rule as every write to the client (see the top): not while
  // frames wait for the broker; and nothing may overtake what waits in the
  // output, which is written first.
  if (rest.payload.size() >= kDirectWriteMin && !session_.ended() &&
      !session_.holding_pushes() && !channel_.has_queued() &&
      !client_write_failed_) {
    WriteClient();
    OutputBuffer& output = session_.output();
    while (output.empty() && !rest.payload.empty() && !client_write_failed_) {
      size_t written = SendToClient(rest.payload);
      if (written == 0) break;
      output.WrittenPast(rest.payload.substr(0, written));
      rest.payload.remove_prefix(written);
    }
    if (rest.payload.empty() || client_write_failed_) return;
  }
  // What the socket did not take waits in the output, after the rest.
  session_.OnFrame(rest);
}

void Worker::ReadChannel() {
  // Stops early once the send queue is exceeded: the client is dropped
  // anyway, and the buffer should not grow further first.
  for (int i = 0; i < kFramesPerTurn && !session_.ended() &&
                  session_.output().size() <= options_.send_queue;
       ++i) {
    ipc::FrameView frame;
    switch (channel_.Receive(&frame, io_buffer)) {
      case ipc::ChannelStatus::kOk:
        buffer_touched_ = std::max(
            buffer_touched_, ipc::kFrameHeaderSize + frame.payload.size());
        if (frame.kind == ipc::FrameKind::kDeliver) {
          Deliver(frame);
        } else {
          session_.OnFrame(frame);
        }
        break;
      case ipc::ChannelStatus::kWouldBlock:
        return;
      case ipc::ChannelStatus::kClosed:
        session_.OnBrokerGone();
        return;
      case ipc::ChannelStatus::kError:
        session_.OnInternalError(
            "malformed frame or failed receive from the "
            "broker");
        return;
    }
  }
}

void Worker::ReadClient() {
  transport::Result result = stream_->Read(io_buffer, kReadChunk);
  switch (result.status) {
    case transport::Status::kOk:
      buffer_touched_ = std::max(buffer_touched_, result.bytes);
      session_.OnInput(std::string_view(io_buffer, result.bytes));
      // A password's bytes are wiped here as well as where the session kept
      // them (the kernel's, GnuTLS's and wslay's buffers are out of reach).
      if (session_.TakeSecretSeen()) Wipe(io_buffer, result.bytes);
      return;
    case transport::Status::kWouldBlock:
      return;
    case transport::Status::kClosed:
      if (result.what == nullptr) {
        // End of file: the lines already read are handled and answered
        // before the session ends (Turn), as a client that half-closes
        // after a batch of requests expects.
        client_eof_ = true;
        session_.OnClientEof();
        return;
      }
      OnStreamEnd(result, stream_->name());
      return;
    case transport::Status::kError:
      OnStreamEnd(result, "read");
      return;
  }
}

void Worker::ReadSignals() {
  signalfd_siginfo info;
  bool any = false;
  while (read(signals_.get(), &info, sizeof info) ==
         static_cast<ssize_t>(sizeof info)) {
    any = true;
  }
  if (any) session_.OnShutdown();
}

}  // namespace chat::server::worker_internal
