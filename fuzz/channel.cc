// Fuzz target: frames between processes. The input is cut into messages,
// each sent whole over a SOCK_SEQPACKET pair as a peer process (a broken or
// hostile worker) could send them, and received with Channel::Receive,
// whose verdict is checked against the header rules of ipc/channel.h. The
// payload of a store frame goes on to the store's decoder, as the store and
// the workers decode it.
#include "ipc/channel.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/check.h"
#include "store/wire.h"

namespace {

using chat::fuzz::Check;

using chat::ipc::Channel;
using chat::ipc::ChannelStatus;
using chat::ipc::FrameKind;
using chat::ipc::FrameView;

// One pair for the whole run: the sender's raw fd and the receiving Channel.
struct Pair {
  int sender;
  Channel receiver;
};

Pair& ThePair() {
  static Pair* pair = [] {
    int fds[2];
    Check(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, fds) == 0);
    int size = 1 << 20;
    setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    return new Pair{fds[0], Channel(chat::ipc::UniqueFd(fds[1]))};
  }();
  return *pair;
}

// Kinds every build knows (FrameKind on main); branches add more in their
// ranges, which may go either way here.
bool SurelyKnownKind(uint8_t kind) {
  return (kind >= 1 && kind <= 13) || (kind >= 20 && kind <= 22);
}

// Header and size as ipc/channel.h describes them, the kind aside.
bool WellShaped(const std::string& message) {
  return message.size() >= chat::ipc::kFrameHeaderSize &&
         message.size() <=
             chat::ipc::kFrameHeaderSize + chat::ipc::kMaxFramePayload &&
         message[0] != 0 && message[1] == 0 && message[2] == 0 &&
         message[3] == 0;
}

void DecodeStorePayload(const FrameView& frame) {
  if (frame.kind == FrameKind::kStoreRequest) {
    auto request = chat::store::DecodeRequest(frame.payload);
    if (request) {
      Check(chat::store::EncodeRequest(
                request->first,
                static_cast<chat::store::Op>(request->second.head),
                request->second.fields) == frame.payload);
    }
  } else if (frame.kind == FrameKind::kStoreReply) {
    auto reply = chat::store::Decode(frame.payload);
    if (reply) {
      Check(chat::store::Encode(reply->head, reply->fields) == frame.payload);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Pair& pair = ThePair();
  FuzzedDataProvider input(data, size);
  std::vector<std::string> messages;
  while (input.remaining_bytes() > 0 && messages.size() < 16) {
    size_t length = input.ConsumeIntegralInRange<size_t>(0, 256);
    std::string message = input.ConsumeBytesAsString(length);
    // Now and then one past the largest frame, to prove it refused.
    if (!message.empty() && message[0] == 'L') {
      message.resize(chat::ipc::kFrameHeaderSize + chat::ipc::kMaxFramePayload +
                     (message.size() & 1));
    }
    messages.push_back(std::move(message));
  }
  // One at a time: a few maximal frames would fill the socket's buffer.
  for (const std::string& message : messages) {
    // An empty message reads as end of file: that is the peer closing,
    // which one pair for the whole run cannot show; skip it.
    if (message.empty()) continue;
    Check(send(pair.sender, message.data(), message.size(), MSG_EOR) ==
          static_cast<ssize_t>(message.size()));
    FrameView frame;
    ChannelStatus status = pair.receiver.Receive(&frame);
    if (!WellShaped(message)) {
      Check(status == ChannelStatus::kError);
      continue;
    }
    if (status == ChannelStatus::kError &&
        !SurelyKnownKind(static_cast<uint8_t>(message[0]))) {
      continue;  // an unknown kind, refused
    }
    Check(status == ChannelStatus::kOk);
    Check(static_cast<uint8_t>(frame.kind) == static_cast<uint8_t>(message[0]));
    Check(frame.payload ==
          std::string_view(message).substr(chat::ipc::kFrameHeaderSize));
    DecodeStorePayload(frame);
  }
  FrameView frame;
  Check(pair.receiver.Receive(&frame) == ChannelStatus::kWouldBlock);
  return 0;
}
