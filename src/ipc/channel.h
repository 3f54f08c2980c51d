// Channel: framed messages between the broker and one worker over a
// socketpair(AF_UNIX, SOCK_SEQPACKET).
//
// SOCK_SEQPACKET keeps message boundaries and sends a message whole or not at
// all, so a non-blocking sender never has half a frame on the wire and the
// receiver needs no length prefix or reassembly: one recv() is one frame.
//
// Sending is queue-then-flush: Queue() never blocks and never fails; Flush()
// sends what the socket takes and keeps the rest. Consecutive frames that can
// be merged (kDeliver, and kSendTo to the same worker) are packed into one, up
// to kMaxFramePayload, so a burst of lines costs one send().
//
// Both ends run in processes of the same program on the same machine, so the
// 16-byte header (kind, 3 zero bytes, count, target) is in host byte order.
#ifndef CHAT_IPC_CHANNEL_H_
#define CHAT_IPC_CHANNEL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/unique_fd.h"
#include "ipc/worker_id.h"

namespace chat::ipc {

enum class FrameKind : uint8_t {
  // broker -> worker: complete lines (LF-ended) to write to the client.
  kDeliver = 1,
  // worker -> broker: complete lines for worker `target`'s client.
  kSendTo = 2,
  // worker -> broker: complete lines for every registered worker except the
  // sender. The broker answers with kBroadcastDone.
  kBroadcast = 3,
  // broker -> worker: the oldest unanswered kBroadcast reached `count`
  // workers. Broadcasts are answered in the order they were sent.
  kBroadcastDone = 4,
  // worker -> broker: this worker registered `payload` (the name). The broker
  // announces it to the others and counts the worker in broadcasts from now.
  kJoined = 5,
  // broker -> worker: close the session, telling the client `payload` (a
  // reason for BYE).
  kShutdown = 6,
  // worker -> broker: this worker left the registry; the broker announces
  // `payload` (the name) as gone to the others and stops counting the worker.
  kLeft = 7,

  // Store frames (store/wire.h has their payloads).
  // worker -> broker -> store: a request. The broker sets `target` to the
  // asking worker and `count` to its session number before passing it on;
  // the broker's own requests (the audit log, history) come the same way.
  kStoreRequest = 8,
  // store -> broker -> worker `target`: an answer.
  kStoreReply = 9,
  // broker -> worker: the store died; requests in flight get no answer.
  kStoreGone = 10,
  // worker -> broker: this worker logged in to the account that worker
  // `target` holds: end that session (BYE Logged In Elsewhere) and answer
  // kMoveDone once it has left the registry.
  kMoveLogin = 11,
  // broker -> worker: the session kMoveLogin named is gone.
  kMoveDone = 12,
  // worker -> broker: `count` 1 if this registered user is logged in to an
  // account, 0 if not (any more); private messages to or from an account are
  // kept in the history.
  kAccount = 13,
  // Rooms and private-message requests (20-39). Every request frame is
  // answered with exactly one kAnswer, in the order the requests came.
  // worker -> broker: a room request; `count` says which (server/rooms.h).
  kRoomRequest = 20,
  // broker -> worker: `payload` is the answer line (LF-ended) to the oldest
  // kRoomRequest or kConsentRequest not answered yet.
  kAnswer = 21,
  // worker -> broker: a private-message request; `count` says which and
  // `target` names the other worker where one is known (server/consent.h).
  kConsentRequest = 22,
  // File transfer (40-59; server/file_transfer.h). `count` is the transfer
  // id except in kFileRequest.
  // worker -> broker: a FILE request answered with one kAnswer; `count`
  // says which (protocol::FileOp), `target` names the recipient of an offer.
  kFileRequest = 40,
  // worker -> broker: a chunk's raw bytes from the sender; broker ->
  // worker: the same bytes for the recipient.
  kFileData = 41,
  // worker -> broker: the recipient acknowledges `payload` (decimal) bytes.
  kFileAck = 42,
  // broker -> worker: this worker is a side of transfer `count`: payload
  // "S" (the sender), or "R" and the offer push (the recipient).
  kFileOpen = 43,
  // broker -> worker: transfer `count` is over for this worker: payload "A"
  // and a line written now (after dropping chunks not yet written), or "E"
  // and a line written after the chunks still held.
  kFileClose = 44,
  // worker -> broker: end transfer `count` with FILE ABORT `payload` (the
  // reason) to both sides.
  kFileAbort = 45,
  // Moderation (80-89): the store, which owns the control socket
  // (store/control.h), tells the broker (server/moderation.h).
  // store -> broker: the address bans in force, replacing the broker's
  // list: `payload` is store::Encode(0, {cidr, until ms or "", ...});
  // `count` 1 if more kBanList frames follow with the rest of the list.
  // A connection from a banned address is closed (BYE Kicked: banned).
  kBanList = 80,
  // store -> broker: end the session of the registered user `payload`'s
  // first field with BYE Kicked: <second field>.
  kKick = 81,
  // The worker sandbox (90-99; server/sandbox.h).
  // worker -> broker: the worker made forbidden system call `count` and is
  // exiting (sent from its SIGSYS handler; the broker logs the call).
  kForbiddenCall = 90,
};

struct Frame {
  FrameKind kind = FrameKind::kDeliver;
  WorkerId target;     // kSendTo only
  uint32_t count = 0;  // kBroadcastDone only
  std::string payload;
};

// A received frame whose payload still lies in the receive buffer, which is
// one per process, shared by every Channel: the view is valid until the next
// Receive on ANY channel in the process (so Receive is for one thread at a
// time). Lets the broker relay a payload into another channel's queue without
// an intermediate copy. (With a caller's buffer: until the next Receive into
// that buffer.)
struct FrameView {
  FrameKind kind = FrameKind::kDeliver;
  WorkerId target;
  uint32_t count = 0;
  std::string_view payload;
};

// Biggest payload of one frame: room for many 4096-byte lines per send.
inline constexpr size_t kMaxFramePayload = 64 * 1024;
// The header every frame starts with (see the top).
inline constexpr size_t kFrameHeaderSize = 16;
// Bytes a caller's receive buffer must hold: a whole frame, header included,
// and one byte more, so that a longer message shows up as too long rather
// than as a silently truncated frame.
inline constexpr size_t kReceiveBufferSize =
    kFrameHeaderSize + kMaxFramePayload + 1;

enum class ChannelStatus {
  kOk,          // Flush: queue empty. Receive: *frame filled.
  kWouldBlock,  // Flush: frames still queued. Receive: nothing to read now.
  kClosed,      // the peer closed its end (or died)
  kError,       // a system call failed, or a malformed frame arrived
};

class Channel {
 public:
  // A connected, non-blocking, close-on-exec pair.
  static std::optional<std::pair<Channel, Channel>> CreatePair(
      std::string* error);

  explicit Channel(UniqueFd fd);
  // A moved-from Channel is closed and has nothing queued.
  Channel(Channel&& other) noexcept;
  Channel& operator=(Channel&& other) noexcept;

  int fd() const { return fd_.get(); }

  // Appends a frame to the outgoing queue (merging where it may).
  // `payload` must not exceed kMaxFramePayload (a bigger one aborts: it is a
  // bug in the caller).
  void Queue(FrameKind kind, std::string_view payload, WorkerId target = {},
             uint32_t count = 0);
  // Sends queued frames until the queue is empty or the socket is full.
  ChannelStatus Flush();
  bool has_queued() const { return head_ < queue_.size(); }
  // Bytes waiting in the queue, frame headers included.
  size_t queued_bytes() const { return queued_bytes_; }

  // Reads one frame into the process-wide receive buffer (see FrameView).
  // kError means a malformed frame (it is consumed) or a
  // failed recv(); either way the peer broke the protocol or the system did.
  ChannelStatus Receive(Frame* frame);
  // The same, without copying the payload out (see FrameView).
  ChannelStatus Receive(FrameView* frame);
  // The same, into the caller's `buffer` (at least kReceiveBufferSize bytes;
  // a smaller one aborts): a process that wants to reuse the memory between
  // receives, or to give its pages back, owns it.
  ChannelStatus Receive(FrameView* frame, std::span<char> buffer);

 private:
  void PopFront();

  UniqueFd fd_;
  // Encoded frames (header + payload), oldest at queue_[head_]. A vector
  // rather than a deque: an empty one allocates nothing, where a deque
  // allocates its map and a block on construction and on every move, in a
  // worker that never queues much and in the broker for every connection.
  std::vector<std::string> queue_;
  size_t head_ = 0;
  size_t queued_bytes_ = 0;
};

}  // namespace chat::ipc

#endif  // CHAT_IPC_CHANNEL_H_
