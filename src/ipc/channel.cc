// Channel: encodes frames into SOCK_SEQPACKET messages, queues them while the
// socket is full, and decodes and checks what arrives.
#include "ipc/channel.h"

#include <errno.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace chat::ipc {
namespace {

// Header layout: kind, 3 reserved zero bytes, count, target.connection,
// target.generation.
constexpr size_t kKindOffset = 0;
constexpr size_t kCountOffset = 4;
constexpr size_t kConnectionOffset = 8;
constexpr size_t kGenerationOffset = 12;
constexpr size_t kHeaderSize = kFrameHeaderSize;
constexpr size_t kMaxMessage = kHeaderSize + kMaxFramePayload;
static_assert(kReceiveBufferSize == kMaxMessage + 1);

// Once this many sent frames are dead at the front of the queue, and at
// least half of it, they are moved out: O(1) amortised per frame.
constexpr size_t kCompactQueueAt = 32;
// An emptied queue keeps its array only up to this many entries, so a burst
// does not leave every connection of the broker holding a big one.
constexpr size_t kKeepQueueCapacity = 16;

// The default socket buffer holds only a few maximal frames; a burst of
// broadcasts to a worker should not turn into kWouldBlock that early. Raising
// it past net.core.wmem_max needs privileges, so it is best effort.
constexpr int kSocketBuffer = 1 << 20;

[[noreturn]] void Die(const char* message) {
  std::fprintf(stderr, "chat ipc channel: %s\n", message);
  std::abort();
}

// Keep in step with the last FrameKind.
bool IsKnownKind(uint8_t kind) {
  return (kind >= static_cast<uint8_t>(FrameKind::kDeliver) &&
          kind <= static_cast<uint8_t>(FrameKind::kLeft)) ||
         (kind >= static_cast<uint8_t>(FrameKind::kStoreRequest) &&
          kind <= static_cast<uint8_t>(FrameKind::kAccount)) ||
         (kind >= static_cast<uint8_t>(FrameKind::kRoomRequest) &&
          kind <= static_cast<uint8_t>(FrameKind::kConsentRequest)) ||
         (kind >= static_cast<uint8_t>(FrameKind::kFileRequest) &&
          kind <= static_cast<uint8_t>(FrameKind::kFileAbort)) ||
         (kind >= static_cast<uint8_t>(FrameKind::kBanList) &&
          kind <= static_cast<uint8_t>(FrameKind::kKick)) ||
         kind == static_cast<uint8_t>(FrameKind::kForbiddenCall);
}

void PutU32(char* at, uint32_t value) { std::memcpy(at, &value, 4); }

uint32_t GetU32(const char* at) {
  uint32_t value;
  std::memcpy(&value, at, 4);
  return value;
}

void AppendHeader(std::string* out, FrameKind kind, WorkerId target,
                  uint32_t count) {
  char header[kHeaderSize] = {};
  header[kKindOffset] = static_cast<char>(kind);
  PutU32(header + kCountOffset, count);
  PutU32(header + kConnectionOffset, target.connection);
  PutU32(header + kGenerationOffset, target.generation);
  out->append(header, kHeaderSize);
}

// Whether a new frame may be appended to `last` (an encoded frame): only
// frames whose meaning is "these lines, to this destination" are merged.
bool CanMerge(const std::string& last, FrameKind kind, WorkerId target,
              size_t payload_size) {
  if (last.size() + payload_size > kMaxMessage) return false;
  auto last_kind = static_cast<FrameKind>(last[kKindOffset]);
  if (last_kind != kind) return false;
  if (kind == FrameKind::kDeliver) return true;
  if (kind != FrameKind::kSendTo) return false;
  return GetU32(last.data() + kConnectionOffset) == target.connection &&
         GetU32(last.data() + kGenerationOffset) == target.generation;
}

// One receive buffer for the whole process rather than one per channel: the
// broker holds a channel per connection, and a buffer each would cost it
// 64 KiB per connection. It lies in .bss and is never cleared, so only the
// pages recv() actually writes get touched: a process forked from one that
// never received keeps no copy of it, and one that receives short frames
// dirties one page, not sixteen. Page-aligned, so that a short frame is one
// page, and without a guard variable whose write would cost a page as well.
alignas(4096) char receive_buffer[kReceiveBufferSize];

void SetBufferBestEffort(int fd) {
  int size = kSocketBuffer;
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

}  // namespace

std::optional<std::pair<Channel, Channel>> Channel::CreatePair(
    std::string* error) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                 fds) != 0) {
    if (error) *error = std::string("socketpair: ") + std::strerror(errno);
    return std::nullopt;
  }
  SetBufferBestEffort(fds[0]);
  SetBufferBestEffort(fds[1]);
  return std::make_pair(Channel(UniqueFd(fds[0])), Channel(UniqueFd(fds[1])));
}

Channel::Channel(UniqueFd fd) : fd_(std::move(fd)) {}

Channel::Channel(Channel&& other) noexcept
    : fd_(std::move(other.fd_)),
      queue_(std::move(other.queue_)),
      head_(std::exchange(other.head_, 0)),
      queued_bytes_(std::exchange(other.queued_bytes_, 0)) {
  other.queue_.clear();
}

Channel& Channel::operator=(Channel&& other) noexcept {
  if (this != &other) {
    fd_ = std::move(other.fd_);
    queue_ = std::move(other.queue_);
    head_ = std::exchange(other.head_, 0);
    queued_bytes_ = std::exchange(other.queued_bytes_, 0);
    other.queue_.clear();
  }
  return *this;
}

void Channel::Queue(FrameKind kind, std::string_view payload, WorkerId target,
                    uint32_t count) {
  if (payload.size() > kMaxFramePayload) {
    Die("Queue: payload larger than kMaxFramePayload");
  }
  if (has_queued() && CanMerge(queue_.back(), kind, target, payload.size())) {
    queue_.back().append(payload);
  } else {
    std::string& frame = queue_.emplace_back();
    frame.reserve(kHeaderSize + payload.size());
    AppendHeader(&frame, kind, target, count);
    frame.append(payload);
    queued_bytes_ += kHeaderSize;
  }
  queued_bytes_ += payload.size();
}

ChannelStatus Channel::Flush() {
  // Linux raises no SIGPIPE on the SEQPACKET path today; MSG_NOSIGNAL makes
  // that a promise rather than a kernel detail.
  while (has_queued()) {
    std::string& frame = queue_[head_];
    ssize_t sent = ::send(fd_.get(), frame.data(), frame.size(),
                          MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      switch (errno) {
        case EINTR:
          continue;
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
          return ChannelStatus::kWouldBlock;
        case EPIPE:
        case ECONNRESET:
        case ENOTCONN:
          return ChannelStatus::kClosed;
        default:
          return ChannelStatus::kError;
      }
    }
    // A SEQPACKET message goes whole or not at all; anything else would mean
    // the peer now sees a truncated frame.
    if (static_cast<size_t>(sent) != frame.size()) {
      Die("Flush: SOCK_SEQPACKET send() was partial");
    }
    queued_bytes_ -= frame.size();
    PopFront();
  }
  return ChannelStatus::kOk;
}

void Channel::PopFront() {
  // The frame's memory goes now, not when the queue is next compacted.
  std::string().swap(queue_[head_]);
  ++head_;
  if (head_ == queue_.size()) {
    if (queue_.capacity() > kKeepQueueCapacity) {
      std::vector<std::string>().swap(queue_);
    } else {
      queue_.clear();
    }
    head_ = 0;
  } else if (head_ >= kCompactQueueAt && head_ * 2 >= queue_.size()) {
    queue_.erase(queue_.begin(),
                 queue_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

ChannelStatus Channel::Receive(FrameView* frame) {
  return Receive(frame, receive_buffer);
}

ChannelStatus Channel::Receive(FrameView* frame, std::span<char> into) {
  if (into.size() < kReceiveBufferSize) {
    Die("Receive: buffer smaller than kReceiveBufferSize");
  }
  // One byte more than the biggest valid message, so that a longer one shows
  // up as a length over the limit rather than as a silently truncated frame.
  char* buffer = into.data();
  bool reset_seen = false;
  ssize_t n;
  for (;;) {
    n = ::recv(fd_.get(), buffer, kReceiveBufferSize, MSG_DONTWAIT);
    if (n >= 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return ChannelStatus::kWouldBlock;
    }
    // A peer that died with unread data in its own queue leaves ECONNRESET
    // pending here, reported before the frames it sent earlier. The error is
    // cleared by being reported, so one more recv() returns those frames (or
    // end of file) and nothing the peer sent is lost.
    if (errno == ECONNRESET && !reset_seen) {
      reset_seen = true;
      continue;
    }
    if (errno == ECONNRESET) return ChannelStatus::kClosed;
    return ChannelStatus::kError;
  }
  // Every frame has a header, so an empty message can only be end of file.
  if (n == 0) return ChannelStatus::kClosed;

  size_t length = static_cast<size_t>(n);
  if (length < kHeaderSize || length > kMaxMessage)
    return ChannelStatus::kError;
  auto kind = static_cast<uint8_t>(buffer[kKindOffset]);
  if (!IsKnownKind(kind) || buffer[1] != 0 || buffer[2] != 0 ||
      buffer[3] != 0) {
    return ChannelStatus::kError;
  }
  frame->kind = static_cast<FrameKind>(kind);
  frame->count = GetU32(buffer + kCountOffset);
  frame->target.connection = GetU32(buffer + kConnectionOffset);
  frame->target.generation = GetU32(buffer + kGenerationOffset);
  frame->payload = std::string_view(buffer + kHeaderSize, length - kHeaderSize);
  return ChannelStatus::kOk;
}

ChannelStatus Channel::Receive(Frame* frame) {
  FrameView view;
  ChannelStatus status = Receive(&view);
  if (status != ChannelStatus::kOk) return status;
  frame->kind = view.kind;
  frame->target = view.target;
  frame->count = view.count;
  frame->payload.assign(view.payload);  // keeps the string's capacity
  return ChannelStatus::kOk;
}

}  // namespace chat::ipc
