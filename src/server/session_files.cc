// Session: the worker's side of file transfer (PROTOCOL.md "File
// transfer"). OFFER, ACCEPT, REJECT, END and CANCEL are checked as far as
// the worker can (registered, the size, the recipient online) and handed to
// the broker (file_transfer.h), whose kAnswer keeps its place among this
// connection's answers. DATA is decoded here, in the sender's worker, and
// only its raw bytes go on; ACK is clamped to what this worker wrote.
#include "protocol/file_request.h"
#include "protocol/reply.h"
#include "server/session.h"

namespace chat::server {

using protocol::ErrorCode;
using protocol::FileOp;
using protocol::FormatError;

namespace {

std::string_view OpName(FileOp op) {
  switch (op) {
    case FileOp::kOffer:
      return "OFFER";
    case FileOp::kAccept:
      return "ACCEPT";
    case FileOp::kReject:
      return "REJECT";
    case FileOp::kData:
      return "DATA";
    case FileOp::kAck:
      return "ACK";
    case FileOp::kEnd:
      return "END";
    case FileOp::kCancel:
      return "CANCEL";
  }
  return "?";
}

// Where a chunk is decoded: static, so a worker that never receives a file
// owns no page of it, and one that does reuses the same bytes.
char chunk_buffer[protocol::kMaxFileChunk];

}  // namespace

void Session::FileRequest(const protocol::Request& request) {
  const protocol::FileArgs& file = request.file;
  // DATA and ACK come by the thousand: they are not logged one by one; the
  // transfer's start and end are (file_transfer.cc). Nor is a file name.
  if (file.op != FileOp::kData && file.op != FileOp::kAck && log_.info()) {
    std::string event = "request FILE ";
    event += OpName(file.op);
    event += ' ';
    event += file.op == FileOp::kOffer ? std::string(file.recipient)
                                       : std::to_string(file.id);
    log_.Info(subject_, event + " by " + Who());
  }
  if (!registered_) return RefuseUnregistered();
  const std::string id = std::to_string(file.id);
  auto broker = [this](FileOp op, std::string_view payload,
                       ipc::WorkerId target = {}) {
    channel_.Queue(ipc::FrameKind::kFileRequest, payload, target,
                   static_cast<uint32_t>(op));
    AwaitBrokerAnswer();
  };
  switch (file.op) {
    case FileOp::kOffer: {
      if (file.size > max_file_size_) {
        Reply(FormatError(ErrorCode::kFileTooLarge,
                          std::to_string(max_file_size_) + " bytes at most"));
        return;
      }
      auto recipient = registry_.Lookup(file.recipient);
      if (!recipient) {
        Reply(FormatError(ErrorCode::kUnknownRecipient, file.recipient));
        return;
      }
      std::string payload = recipient->ask ? "1 " : "0 ";
      payload += recipient->name;
      payload += ' ' + std::to_string(file.size) + ' ';
      payload += file.sha256;
      payload += ' ';
      payload += file.filename;
      return broker(FileOp::kOffer, payload, recipient->worker);
    }
    case FileOp::kAccept:
    case FileOp::kReject:
    case FileOp::kEnd:
    case FileOp::kCancel:
      return broker(file.op, id);
    case FileOp::kData: {
      if (!files_.IsSender(file.id)) {
        if (!files_.RecentlyClosed(file.id)) {
          Reply(FormatError(ErrorCode::kUnknownTransfer, id));
        }
        return;
      }
      auto length = protocol::DecodeFileChunk(file.base64, chunk_buffer);
      if (!length) {
        channel_.Queue(ipc::FrameKind::kFileAbort,
                       protocol::kAbortInvalidBase64, {}, file.id);
        return;
      }
      channel_.Queue(ipc::FrameKind::kFileData,
                     std::string_view(chunk_buffer, *length), {}, file.id);
      return;
    }
    case FileOp::kAck: {
      if (!files_.IsRecipient(file.id)) {
        if (!files_.RecentlyClosed(file.id)) {
          Reply(FormatError(ErrorCode::kUnknownTransfer, id));
        }
        return;
      }
      if (auto acked = files_.ClampAck(file.id, file.size)) {
        channel_.Queue(ipc::FrameKind::kFileAck, std::to_string(*acked), {},
                       file.id);
      }
      return;
    }
  }
}

void Session::OnFileFrame(const ipc::FrameView& frame) {
  switch (frame.kind) {
    case ipc::FrameKind::kFileOpen:
      Push(files_.Open(frame.count, frame.payload));
      return;
    case ipc::FrameKind::kFileClose:
      Push(files_.Close(frame.count, frame.payload));
      return;
    case ipc::FrameKind::kFileData:
      if (!files_.Data(frame.count, frame.payload)) {
        // Only a broker that broke the window gets here: the transfer
        // ends rather than the worker's memory growing.
        channel_.Queue(ipc::FrameKind::kFileAbort,
                       protocol::kAbortWindowExceeded, {}, frame.count);
      }
      return;
    default:
      return OnInternalError("unexpected file frame kind " +
                             std::to_string(static_cast<int>(frame.kind)));
  }
}

void Session::FeedFiles() {
  if (!ended() && !holding_pushes_) files_.Feed(output_);
}

}  // namespace chat::server
