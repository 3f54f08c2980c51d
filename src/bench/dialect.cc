// The chat and IRC dialects: request lines out, events in.
#include "bench/dialect.h"

#include "protocol/server_line.h"

namespace chat::bench {

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

namespace {

void Append(std::string* out, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) out->append(part);
}

class ChatDialect : public Dialect {
 public:
  std::string_view name() const override { return "chat"; }
  void Register(std::string_view nick, std::string* out) const override {
    Append(out, {"JOIN ", nick, "\n"});
  }
  void JoinChannel(std::string*) const override {}
  void Direct(std::string_view to, std::string_view text,
              std::string* out) const override {
    Append(out, {"MESG ", to, " ", text, "\n"});
  }
  void Broadcast(std::string_view text, std::string* out) const override {
    Append(out, {"BCST ", text, "\n"});
  }
  void Quit(std::string* out) const override { out->append("QUIT\n"); }
  void Pong(std::string_view token, std::string* out) const override {
    // The chat server never pings; a PONG has no request form.
    (void)token;
    (void)out;
  }
  bool has_channel() const override { return false; }
  bool acks_broadcast() const override { return true; }

  Event Parse(std::string_view line) const override {
    using protocol::ServerLineKind;
    if (line.starts_with("FILE ")) return {EventKind::kFile, {}, line};
    protocol::ServerLine parsed = protocol::ParseServerLine(line);
    switch (parsed.kind) {
      case ServerLineKind::kHello:
        return {EventKind::kHello, {}, parsed.first};
      case ServerLineKind::kOk:
        if (parsed.first == "JOIN") {
          return {EventKind::kRegistered, parsed.second, {}};
        }
        if (parsed.first == "QUIT") return {EventKind::kQuitAck, {}, {}};
        return {EventKind::kAck, parsed.first, parsed.second};
      case ServerLineKind::kList:
        return {EventKind::kOther, {}, line};
      case ServerLineKind::kPong:
        return {EventKind::kPong, {}, parsed.first};
      case ServerLineKind::kError:
        return {EventKind::kError, {}, line};
      case ServerLineKind::kMesg:
        return {EventKind::kDirect, parsed.first, parsed.second};
      case ServerLineKind::kBcst:
        return {EventKind::kBroadcast, parsed.first, parsed.second};
      case ServerLineKind::kJoined:
        return {EventKind::kAnnounceJoin, parsed.first, {}};
      case ServerLineKind::kLeft:
        return {EventKind::kAnnounceLeave, parsed.first, {}};
      case ServerLineKind::kBye:
        return {EventKind::kBye, {}, line};
      case ServerLineKind::kUnknown:
        break;
    }
    return {EventKind::kMalformed, {}, line};
  }
};

// Splits off the next space-separated word of an IRC message.
std::string_view NextWord(std::string_view* rest) {
  size_t space = rest->find(' ');
  std::string_view word = rest->substr(0, space);
  *rest = space == std::string_view::npos ? std::string_view{}
                                          : rest->substr(space + 1);
  while (!rest->empty() && rest->front() == ' ') rest->remove_prefix(1);
  return word;
}

// The middle parameter of an IRC message: a word, or the trailing part after
// ':' (which may hold spaces).
std::string_view NextParam(std::string_view* rest) {
  if (!rest->empty() && rest->front() == ':') {
    std::string_view trailing = rest->substr(1);
    *rest = {};
    return trailing;
  }
  return NextWord(rest);
}

bool IsNumeric(std::string_view command) {
  return command.size() == 3 && command[0] >= '0' && command[0] <= '9' &&
         command[1] >= '0' && command[1] <= '9' && command[2] >= '0' &&
         command[2] <= '9';
}

class IrcDialect : public Dialect {
 public:
  explicit IrcDialect(std::string channel) : channel_(std::move(channel)) {}

  std::string_view name() const override { return "irc"; }
  void Register(std::string_view nick, std::string* out) const override {
    Append(out, {"NICK ", nick, "\r\nUSER ", nick, " 0 * :", nick, "\r\n"});
  }
  void JoinChannel(std::string* out) const override {
    Append(out, {"JOIN ", channel_, "\r\n"});
  }
  void Direct(std::string_view to, std::string_view text,
              std::string* out) const override {
    Append(out, {"PRIVMSG ", to, " :", text, "\r\n"});
  }
  void Broadcast(std::string_view text, std::string* out) const override {
    Append(out, {"PRIVMSG ", channel_, " :", text, "\r\n"});
  }
  void Quit(std::string* out) const override { out->append("QUIT\r\n"); }
  void Pong(std::string_view token, std::string* out) const override {
    Append(out, {"PONG :", token, "\r\n"});
  }
  bool has_channel() const override { return true; }
  bool acks_broadcast() const override { return false; }

  Event Parse(std::string_view line) const override {
    std::string_view rest = line;
    std::string_view nick;
    if (!rest.empty() && rest.front() == ':') {
      std::string_view prefix = NextWord(&rest);
      prefix.remove_prefix(1);
      nick = prefix.substr(0, prefix.find('!'));
    }
    std::string_view command = NextWord(&rest);
    if (command.empty()) return {EventKind::kMalformed, {}, line};
    if (command == "PING") return {EventKind::kPing, {}, NextParam(&rest)};
    if (command == "PONG") return {EventKind::kPong, {}, rest};
    if (command == "ERROR") return {EventKind::kBye, {}, NextParam(&rest)};
    if (command == "PRIVMSG") {
      std::string_view target = NextWord(&rest);
      std::string_view text = NextParam(&rest);
      bool to_channel =
          !target.empty() && (target.front() == '#' || target.front() == '&');
      return {to_channel ? EventKind::kBroadcast : EventKind::kDirect, nick,
              text};
    }
    if (command == "JOIN") return {EventKind::kAnnounceJoin, nick, {}};
    if (command == "PART" || command == "QUIT") {
      return {EventKind::kAnnounceLeave, nick, {}};
    }
    if (IsNumeric(command)) {
      if (command == "001")
        return {EventKind::kRegistered, NextWord(&rest), {}};
      if (command[0] == '4' || command[0] == '5') {
        return {EventKind::kError, {}, line};
      }
    }
    return {EventKind::kOther, nick, line};
  }

 private:
  std::string channel_;
};

}  // namespace

std::unique_ptr<Dialect> MakeChatDialect() {
  return std::make_unique<ChatDialect>();
}

std::unique_ptr<Dialect> MakeIrcDialect(std::string channel) {
  return std::make_unique<IrcDialect>(std::move(channel));
}

}  // namespace chat::bench
