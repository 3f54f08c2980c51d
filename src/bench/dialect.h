// Dialect: how the benchmark speaks to a server. The chat protocol
// (PROTOCOL.md) and IRC (RFC 2812, enough for NICK/USER, PRIVMSG and one
// channel) both map onto the same few requests and events, so every scenario
// runs unchanged against either.
#ifndef CHAT_BENCH_DIALECT_H_
#define CHAT_BENCH_DIALECT_H_

#include <memory>
#include <string>
#include <string_view>

namespace chat::bench {

enum class EventKind {
  kHello,          // chat HELLO
  kRegistered,     // chat OK JOIN, IRC 001 welcome
  kAnnounceJoin,   // chat JOINED, IRC JOIN (from = who joined)
  kAnnounceLeave,  // chat LEFT, IRC PART / QUIT
  kDirect,         // chat MESG push, IRC PRIVMSG to a nick
  kBroadcast,      // chat BCST push, IRC PRIVMSG to a channel
  kAck,            // chat OK MESG / OK BCST (from = verb, text = argument)
  kQuitAck,        // chat OK QUIT
  kPing,           // IRC PING (text = token); the pool answers it
  kPong,
  kError,          // chat ERR, IRC error numerics 400-599
  kBye,            // chat BYE, IRC ERROR: the server is closing
  kMalformed,      // a line neither dialect allows
  kOther,          // informational lines (IRC numerics, NOTICE, LIST)
  kChannelJoined,  // chat OK JOIN <room>: this client is in the room
  kFile,           // chat FILE push (text = the whole line; chat-bench file)
};

struct Event {
  EventKind kind = EventKind::kOther;
  std::string_view from;  // sender, joiner, or the acknowledged verb
  std::string_view text;  // message text, token, argument, or error line
};

class Dialect {
 public:
  virtual ~Dialect() = default;

  virtual std::string_view name() const = 0;  // "chat" or "irc"

  // Each appends complete lines to *out.
  virtual void Register(std::string_view nick, std::string* out) const = 0;
  // Joins the broadcast channel; nothing in the chat protocol, where every
  // registered user is in the one audience.
  virtual void JoinChannel(std::string* out) const = 0;
  virtual void Direct(std::string_view to, std::string_view text,
                      std::string* out) const = 0;
  virtual void Broadcast(std::string_view text, std::string* out) const = 0;
  virtual void Quit(std::string* out) const = 0;
  virtual void Pong(std::string_view token, std::string* out) const = 0;

  // True if users must JoinChannel() to receive broadcasts and announcements.
  virtual bool has_channel() const = 0;
  // True if the server answers each broadcast with a count (chat OK BCST n).
  virtual bool acks_broadcast() const = 0;

  // Views into `line` (no LF/CR).
  virtual Event Parse(std::string_view line) const = 0;
};

std::unique_ptr<Dialect> MakeChatDialect();
std::unique_ptr<Dialect> MakeIrcDialect(std::string channel = "#bench");
// The chat protocol with one room standing in for the channel: a broadcast
// is MESG <room> (room_dialect.cc).
std::unique_ptr<Dialect> MakeChatRoomDialect(std::string room = "#bench");

// The chat protocol with accounts (chat-bench login): a user registers with
// REGISTER <name> <password> (kCreate) or LOGIN <name> <password> (kLogIn)
// instead of JOIN, and OK REGISTER / OK LOGIN counts as registered
// (login_dialect.cc).
enum class AccountStep { kCreate, kLogIn };
std::unique_ptr<Dialect> MakeChatAccountDialect(AccountStep step,
                                                std::string password);

// ASCII case-insensitive equality (chat usernames and IRC nicks under
// CASEMAPPING=ascii).
bool SameName(std::string_view a, std::string_view b);

}  // namespace chat::bench

#endif  // CHAT_BENCH_DIALECT_H_
