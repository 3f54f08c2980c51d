// The chat protocol's rooms as a dialect (chat-bench fanout --room): every
// user enters one room, and a "broadcast" is a MESG to that room, so the
// fan-out of a room message can be measured against a BCST to as many users.
// Room answers are mapped onto the events the scenarios already know: the
// OK MESG <room> <n> count onto a broadcast's acknowledgement, the room's
// MESG push onto a broadcast.
#include "bench/dialect.h"
#include "protocol/server_line.h"

namespace chat::bench {
namespace {

class ChatRoomDialect : public Dialect {
 public:
  explicit ChatRoomDialect(std::string room) : room_(std::move(room)) {}

  std::string_view name() const override { return "chat-room"; }
  void Register(std::string_view nick, std::string* out) const override {
    chat_->Register(nick, out);
  }
  void JoinChannel(std::string* out) const override {
    out->append("JOIN ").append(room_).append("\n");
  }
  void Direct(std::string_view to, std::string_view text,
              std::string* out) const override {
    chat_->Direct(to, text, out);
  }
  void Broadcast(std::string_view text, std::string* out) const override {
    out->append("MESG ").append(room_).append(" ").append(text).append("\n");
  }
  void Quit(std::string* out) const override { chat_->Quit(out); }
  void Pong(std::string_view token, std::string* out) const override {
    chat_->Pong(token, out);
  }
  bool has_channel() const override { return true; }
  bool acks_broadcast() const override { return true; }

  Event Parse(std::string_view line) const override {
    using protocol::ServerLineKind;
    protocol::ServerLine parsed = protocol::ParseServerLine(line);
    auto is_room = [](std::string_view word) {
      return !word.empty() && word.front() == '#';
    };
    auto split = [](std::string_view s, std::string_view* head,
                    std::string_view* tail) {
      size_t space = s.find(' ');
      *head = s.substr(0, space);
      *tail = space == std::string_view::npos ? std::string_view{}
                                              : s.substr(space + 1);
    };
    std::string_view head, tail;
    switch (parsed.kind) {
      case ServerLineKind::kOk:
        split(parsed.second, &head, &tail);
        if (parsed.first == "JOIN" && is_room(head)) {
          return {EventKind::kChannelJoined, {}, head};
        }
        if (parsed.first == "MESG" && is_room(head)) {
          return {EventKind::kAck, "BCST", tail};
        }
        break;
      case ServerLineKind::kMesg:
        if (is_room(parsed.first)) {
          split(parsed.second, &head, &tail);
          return {EventKind::kBroadcast, head, tail};
        }
        break;
      case ServerLineKind::kJoined:
      case ServerLineKind::kLeft:
        // Room announcements; the server's own are counted as before.
        if (is_room(parsed.first)) return {EventKind::kOther, {}, line};
        break;
      default:
        break;
    }
    return chat_->Parse(line);
  }

 private:
  std::string room_;
  std::unique_ptr<Dialect> chat_ = MakeChatDialect();
};

}  // namespace

std::unique_ptr<Dialect> MakeChatRoomDialect(std::string room) {
  return std::make_unique<ChatRoomDialect>(std::move(room));
}

}  // namespace chat::bench
