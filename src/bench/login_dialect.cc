// The chat protocol with accounts as a dialect (chat-bench login): users
// register by creating an account (REGISTER) or by logging in to one
// (LOGIN), each with the run's password, and the answer OK REGISTER <name> or
// OK LOGIN <name> is mapped onto the registration event the client pool
// already waits for. Everything else is the chat dialect's.
#include "bench/dialect.h"
#include "protocol/server_line.h"

namespace chat::bench {
namespace {

class ChatAccountDialect : public Dialect {
 public:
  ChatAccountDialect(AccountStep step, std::string password)
      : verb_(step == AccountStep::kCreate ? "REGISTER" : "LOGIN"),
        password_(std::move(password)) {}

  std::string_view name() const override { return "chat"; }
  void Register(std::string_view nick, std::string* out) const override {
    out->append(verb_)
        .append(" ")
        .append(nick)
        .append(" ")
        .append(password_)
        .append("\n");
  }
  void JoinChannel(std::string* out) const override { chat_->JoinChannel(out); }
  void Direct(std::string_view to, std::string_view text,
              std::string* out) const override {
    chat_->Direct(to, text, out);
  }
  void Broadcast(std::string_view text, std::string* out) const override {
    chat_->Broadcast(text, out);
  }
  void Quit(std::string* out) const override { chat_->Quit(out); }
  void Pong(std::string_view token, std::string* out) const override {
    chat_->Pong(token, out);
  }
  bool has_channel() const override { return false; }
  bool acks_broadcast() const override { return true; }

  Event Parse(std::string_view line) const override {
    protocol::ServerLine parsed = protocol::ParseServerLine(line);
    if (parsed.kind == protocol::ServerLineKind::kOk && parsed.first == verb_) {
      return {EventKind::kRegistered, parsed.second, {}};
    }
    // Messages queued for the account while it was away come right after
    // OK LOGIN; the benchmark's accounts are sent none, and a stray one is
    // information, not an error.
    if (line.starts_with("OFFLINE ")) return {EventKind::kOther, {}, line};
    return chat_->Parse(line);
  }

 private:
  std::string_view verb_;
  std::string password_;
  std::unique_ptr<Dialect> chat_ = MakeChatDialect();
};

}  // namespace

std::unique_ptr<Dialect> MakeChatAccountDialect(AccountStep step,
                                                std::string password) {
  return std::make_unique<ChatAccountDialect>(step, std::move(password));
}

}  // namespace chat::bench
