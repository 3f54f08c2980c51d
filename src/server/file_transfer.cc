// File transfers: OFFER, ACCEPT, REJECT, DATA, ACK, END, CANCEL as the
// broker checks and relays them, and every FILE ABORT.
#include "server/file_transfer.h"

#include <algorithm>
#include <charconv>

#include "protocol/file_request.h"
#include "protocol/reply.h"
#include "server/consent.h"
#include "server/relay.h"

namespace chat::server {
namespace {

using protocol::ErrorCode;
using protocol::FileOp;
using protocol::FormatError;

std::optional<uint64_t> ToNumber(std::string_view text) {
  uint64_t value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

FileTransfers::FileTransfers(WorkerTable& table, Relay& relay, Consent& consent,
                             const Log& log, FileLimits limits)
    : table_(table),
      relay_(relay),
      consent_(consent),
      log_(log),
      limits_(limits) {}

FileTransfers::Transfer* FileTransfers::Find(uint32_t id) {
  for (Transfer& transfer : transfers_) {
    if (transfer.id == id) return &transfer;
  }
  return nullptr;
}

uint32_t FileTransfers::OpenCount(uint32_t index) const {
  uint32_t count = 0;
  for (const Transfer& transfer : transfers_) {
    if (transfer.sender == index || transfer.recipient == index) ++count;
  }
  return count;
}

void FileTransfers::LogEvent(const Transfer& transfer, std::string_view what) {
  if (!log_.info()) return;
  const WorkerEntry& sender = table_.at(transfer.sender);
  log_.Info(sender.subject, "file transfer " + std::to_string(transfer.id) +
                                " " + sender.name + " -> " +
                                table_.at(transfer.recipient).name + ": " +
                                std::string(what));
}

void FileTransfers::OnFrame(uint32_t from, const ipc::FrameView& frame) {
  switch (frame.kind) {
    case ipc::FrameKind::kFileRequest:
      return Request(from, frame);
    case ipc::FrameKind::kFileData:
      return Data(from, frame);
    case ipc::FrameKind::kFileAck:
      return Ack(from, frame);
    case ipc::FrameKind::kFileAbort: {
      // The sender's worker found a chunk bad (or the recipient's a chunk
      // past the window); a transfer already over is no more to be ended.
      Transfer* transfer = Find(frame.count);
      if (transfer &&
          (transfer->sender == from || transfer->recipient == from)) {
        Abort(transfer->id, frame.payload);
      }
      return;
    }
    default:
      relay_.Kill(from, "sent file frame kind " +
                            std::to_string(static_cast<int>(frame.kind)) +
                            ", which only the broker sends");
  }
}

void FileTransfers::Request(uint32_t from, const ipc::FrameView& frame) {
  if (!table_.at(from).registered) {
    relay_.Answer(from, FormatError(ErrorCode::kUnregisteredUser,
                                    "send JOIN <username> first"));
    return;
  }
  auto op = static_cast<FileOp>(frame.count);
  if (op == FileOp::kOffer) return Offer(from, frame);
  std::optional<uint64_t> id = ToNumber(frame.payload);
  Transfer* transfer = id ? Find(static_cast<uint32_t>(*id)) : nullptr;
  // ACCEPT and REJECT are the recipient's, END the sender's, CANCEL either
  // side's: any other is not an open transfer of the requester's.
  bool mine = transfer != nullptr;
  if (mine && (op == FileOp::kAccept || op == FileOp::kReject)) {
    mine = transfer->recipient == from;
  } else if (mine && op == FileOp::kEnd) {
    mine = transfer->sender == from;
  } else if (mine && op == FileOp::kCancel) {
    mine = transfer->sender == from || transfer->recipient == from;
  } else {
    mine = false;
  }
  if (!mine) {
    relay_.Answer(from,
                  FormatError(ErrorCode::kUnknownTransfer, frame.payload));
    return;
  }
  const uint32_t tid = transfer->id;
  switch (op) {
    case FileOp::kAccept:
      if (!transfer->accepted) {
        transfer->accepted = true;
        transfer->due = Clock::now() + limits_.stall_timeout;
        relay_.Deliver(transfer->sender,
                       protocol::FormatFilePush("ACCEPT", tid));
        LogEvent(*transfer, "accepted");
      }
      relay_.Answer(from, protocol::FormatOkFile("ACCEPT", tid));
      return;
    case FileOp::kReject:
      if (transfer->accepted) {
        // Refused once it ran: the sender learns it as a cancel.
        LogEvent(*transfer, "ended: aborted (Cancelled by the recipient)");
        Close(tid,
              protocol::FormatFilePush("ABORT", tid, protocol::kAbortCancelled),
              {});
      } else {
        LogEvent(*transfer, "ended: rejected");
        Close(tid, protocol::FormatFilePush("REJECT", tid), {});
      }
      relay_.Answer(from, protocol::FormatOkFile("REJECT", tid));
      return;
    case FileOp::kEnd:
      if (!transfer->accepted) {
        Abort(tid, protocol::kAbortDataBeforeAccept);
      } else if (transfer->relayed < transfer->size) {
        Abort(tid, protocol::kAbortIncomplete);
      } else {
        LogEvent(*transfer, "ended: complete (" +
                                std::to_string(transfer->size) + " bytes)");
        Close(tid, {}, protocol::FormatFilePush("END", tid), 'E');
      }
      relay_.Answer(from, protocol::FormatOkFile("END", tid));
      return;
    case FileOp::kCancel: {
      bool by_sender = transfer->sender == from;
      LogEvent(*transfer, std::string("ended: aborted (Cancelled by the ") +
                              (by_sender ? "sender)" : "recipient)"));
      std::string abort =
          protocol::FormatFilePush("ABORT", tid, protocol::kAbortCancelled);
      if (by_sender) {
        Close(tid, {}, abort);
      } else {
        Close(tid, abort, {});
      }
      relay_.Answer(from, protocol::FormatOkFile("CANCEL", tid));
      return;
    }
    default:
      relay_.Kill(
          from, "sent an unknown file request " + std::to_string(frame.count));
  }
}

void FileTransfers::Offer(uint32_t from, const ipc::FrameView& frame) {
  // "<ask 0|1> <name> <size> <sha256> <filename>" (session_files.cc).
  std::string_view rest = frame.payload;
  bool ask = protocol::CutWord(&rest) == "1";
  std::string_view name = protocol::CutWord(&rest);
  std::string_view size_text = protocol::CutWord(&rest);
  std::optional<uint64_t> size = ToNumber(size_text);
  if (!size || rest.empty()) {
    relay_.Kill(from, "sent a malformed file offer");
    return;
  }
  WorkerEntry* recipient = table_.Find(frame.target);
  if (recipient == nullptr || !recipient->registered) {
    relay_.Answer(from, FormatError(ErrorCode::kUnknownRecipient, name));
    return;
  }
  const uint32_t to = frame.target.connection;
  const WorkerEntry& sender = table_.at(from);
  if (ask && to != from && !consent_.Accepted(from, to)) {
    if (log_.info()) {
      log_.Info(sender.subject, "FILE OFFER " + sender.name + " -> " +
                                    recipient->name + " refused: Not Accepted");
    }
    relay_.Answer(from, FormatError(ErrorCode::kNotAccepted, recipient->name));
    return;
  }
  if (OpenCount(from) >= limits_.per_user) {
    relay_.Answer(
        from, FormatError(ErrorCode::kTooManyTransfers,
                          std::to_string(limits_.per_user) + " open at most"));
    return;
  }
  if (OpenCount(to) >= limits_.per_user) {
    relay_.Answer(from,
                  FormatError(ErrorCode::kTooManyTransfers,
                              recipient->name + " has " +
                                  std::to_string(limits_.per_user) + " open"));
    return;
  }
  uint32_t id = next_id_++;
  if (next_id_ == 0) next_id_ = 1;
  transfers_.push_back(
      {id, from, to, *size, false, 0, 0, Clock::now() + limits_.offer_timeout});
  // The sender's worker learns the id before its answer, the recipient's
  // with the offer it writes.
  std::string push = "RFILE OFFER " + sender.name + " " + std::to_string(id) +
                     " " + std::string(size_text) + " " + std::string(rest) +
                     "\n";
  relay_.SendNow(from, ipc::FrameKind::kFileOpen, "S", id);
  relay_.SendNow(to, ipc::FrameKind::kFileOpen, push, id);
  LogEvent(transfers_.back(), "offered (" + std::string(size_text) + " bytes)");
  relay_.Answer(from, protocol::FormatOkFile("OFFER", id));
}

void FileTransfers::Data(uint32_t from, const ipc::FrameView& frame) {
  Transfer* transfer = Find(frame.count);
  // Chunks sent before the sender's worker learnt of the end are dropped.
  if (transfer == nullptr || transfer->sender != from) return;
  const uint64_t bytes = frame.payload.size();
  if (!transfer->accepted) {
    return Abort(transfer->id, protocol::kAbortDataBeforeAccept);
  }
  if (transfer->relayed + bytes > transfer->size) {
    return Abort(transfer->id, protocol::kAbortPastSize);
  }
  if (transfer->relayed + bytes - transfer->acked > protocol::kFileWindow) {
    return Abort(transfer->id, protocol::kAbortWindowExceeded);
  }
  transfer->relayed += bytes;
  transfer->due = Clock::now() + limits_.stall_timeout;
  relay_.SendNow(transfer->recipient, ipc::FrameKind::kFileData, frame.payload,
                 transfer->id);
}

void FileTransfers::Ack(uint32_t from, const ipc::FrameView& frame) {
  Transfer* transfer = Find(frame.count);
  if (transfer == nullptr || transfer->recipient != from ||
      !transfer->accepted) {
    return;
  }
  std::optional<uint64_t> bytes = ToNumber(frame.payload);
  if (!bytes) {
    relay_.Kill(from, "sent a malformed file acknowledgement");
    return;
  }
  // The worker clamped it to what it wrote; never past what was relayed.
  uint64_t acked = std::min(*bytes, transfer->relayed);
  if (acked <= transfer->acked) return;
  transfer->acked = acked;
  transfer->due = Clock::now() + limits_.stall_timeout;
  relay_.Deliver(
      transfer->sender,
      protocol::FormatFilePush("ACK", transfer->id, std::to_string(acked)));
}

void FileTransfers::Close(uint32_t id, std::string_view sender_line,
                          std::string_view recipient_line,
                          char recipient_mode) {
  auto at = std::find_if(transfers_.begin(), transfers_.end(),
                         [id](const Transfer& t) { return t.id == id; });
  if (at == transfers_.end()) return;
  Transfer transfer = *at;
  transfers_.erase(at);
  std::string to_sender = "A" + std::string(sender_line);
  std::string to_recipient = recipient_mode + std::string(recipient_line);
  if (transfer.sender == transfer.recipient) {
    // A file to oneself: one worker, one close, the line it needs.
    if (recipient_line.empty()) to_recipient = to_sender;
  } else {
    relay_.SendNow(transfer.sender, ipc::FrameKind::kFileClose, to_sender, id);
  }
  relay_.SendNow(transfer.recipient, ipc::FrameKind::kFileClose, to_recipient,
                 id);
}

void FileTransfers::Abort(uint32_t id, std::string_view reason) {
  Transfer* transfer = Find(id);
  if (transfer == nullptr) return;
  LogEvent(*transfer, "ended: aborted (" + std::string(reason) + ")");
  std::string line = protocol::FormatFilePush("ABORT", id, reason);
  Close(id, line, line);
}

void FileTransfers::Forget(uint32_t index) {
  std::vector<uint32_t> ids;
  for (const Transfer& transfer : transfers_) {
    if (transfer.sender == index || transfer.recipient == index) {
      ids.push_back(transfer.id);
    }
  }
  for (uint32_t id : ids) {
    Transfer* transfer = Find(id);
    bool sender_left = transfer->sender == index;
    std::string_view reason = sender_left ? protocol::kAbortSenderLeft
                                          : protocol::kAbortRecipientLeft;
    LogEvent(*transfer, "ended: aborted (" + std::string(reason) + ")");
    std::string line = protocol::FormatFilePush("ABORT", id, reason);
    if (sender_left) {
      Close(id, {}, line);
    } else {
      Close(id, line, {});
    }
  }
}

std::optional<FileTransfers::Clock::time_point> FileTransfers::next_due()
    const {
  std::optional<Clock::time_point> due;
  for (const Transfer& transfer : transfers_) {
    if (!due || transfer.due < *due) due = transfer.due;
  }
  return due;
}

void FileTransfers::OnTimer(Clock::time_point now) {
  std::vector<std::pair<uint32_t, bool>> expired;
  for (const Transfer& transfer : transfers_) {
    if (now >= transfer.due)
      expired.emplace_back(transfer.id, transfer.accepted);
  }
  for (auto [id, accepted] : expired) {
    Abort(id,
          accepted ? protocol::kAbortStalled : protocol::kAbortOfferTimeout);
  }
}

}  // namespace chat::server
