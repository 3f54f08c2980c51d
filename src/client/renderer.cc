// Renderer: the wording and colours of everything the client prints.
#include "client/renderer.h"

#include "protocol/line_assembler.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

using protocol::SanitizeForTerminal;

constexpr std::string_view kBold = "1";
constexpr std::string_view kRed = "31";
constexpr std::string_view kGreen = "32";
constexpr std::string_view kYellow = "33";
constexpr std::string_view kMagenta = "35";
constexpr std::string_view kCyan = "36";

std::string S(std::string_view text) { return SanitizeForTerminal(text); }

}  // namespace

std::string Renderer::Paint(std::string_view code,
                            std::string_view text) const {
  if (!color_) return std::string(text);
  std::string out = "\x1b[";
  out += code;
  out += 'm';
  out += text;
  out += "\x1b[0m";
  return out;
}

std::string Renderer::Name(std::string_view name) const {
  return Paint(kBold, S(name));
}

std::string Renderer::PrivateFrom(std::string_view from,
                                  std::string_view text) const {
  return Paint(kMagenta, "[private]") + " " + Name(from) + ": " + S(text);
}

std::string Renderer::PrivateTo(std::string_view to,
                                std::string_view text) const {
  return Paint(kMagenta, "[private]") + " to " + Name(to) + ": " + S(text);
}

std::string Renderer::Broadcast(std::string_view from,
                                std::string_view text) const {
  return Name(from) + ": " + S(text);
}

std::string Renderer::SendingBroadcast(std::string_view self) const {
  return Paint(kCyan, S(self) + " is sending a broadcast");
}

std::string Renderer::Joined(std::string_view name) const {
  return Paint(kGreen, S(name) + " joined!");
}

std::string Renderer::Left(std::string_view name) const {
  return Paint(kYellow, S(name) + " left");
}

std::vector<std::string> Renderer::UserList(
    const std::vector<std::string_view>& names, std::string_view self) const {
  std::vector<std::string> lines;
  const size_t n = names.size();
  lines.push_back(Paint(
      kCyan, std::to_string(n) + (n == 1 ? " user" : " users") + " online:"));
  for (std::string_view name : names) {
    std::string line = "  " + Name(name);
    if (!self.empty() && name == self) line += " (you)";
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string Renderer::Pong(std::string_view token) const {
  return Paint(kCyan, token.empty() ? "PONG" : "PONG " + S(token));
}

std::string Renderer::Bye(std::string_view reason) const {
  std::string text = "The server closed the connection";
  if (!reason.empty()) text += ": " + S(reason);
  return Paint(kYellow, text);
}

std::string Renderer::ServerError(std::string_view phrase,
                                  std::string_view detail,
                                  const SentRequest* request) const {
  using Kind = SentRequest::Kind;
  const bool is_mesg = request != nullptr && request->kind == Kind::kMesg;
  const bool is_join = request != nullptr && request->kind == Kind::kJoin;
  std::string text;
  if (phrase == "Unknown Recipient") {
    const std::string_view who =
        !detail.empty() ? detail : (is_mesg ? request->name : "");
    text = (who.empty() ? std::string("That user") : S(who)) + " is not online";
    if (is_mesg) text += "; not delivered: " + S(request->text);
  } else if (phrase == "Unregistered User") {
    text = "Not registered yet: choose a username first";
  } else if (phrase == "Unknown Message") {
    text = "The server does not know the command " + S(detail);
  } else if (phrase == "Bad Syntax") {
    text = "The server did not understand that";
    if (!detail.empty()) text += "; the form is: " + S(detail);
  } else if (phrase == "Invalid Username") {
    text = "Invalid username";
    if (is_join) text += " " + S(request->name);
    text += ": use 1 to 32 letters or digits";
  } else if (phrase == "Username Taken") {
    text = "The username ";
    text += is_join ? S(request->name) + " " : "";
    text += "is taken";
  } else if (phrase == "Already Registered") {
    text = "You are already registered";
    if (!detail.empty()) text += " as " + S(detail);
  } else if (phrase == "Too Many Users") {
    text = "The server is full: too many users are registered";
  } else if (phrase == "Too Many Connections") {
    text = "The server has too many connections; try again later";
  } else if (phrase == "Line Too Long") {
    text = "The server refused a line over " +
           std::to_string(protocol::kMaxLineBytes) + " bytes";
  } else if (phrase == "Invalid Text") {
    text =
        "The server refused a line with control characters or invalid "
        "UTF-8";
  } else if (phrase == "Send Queue Exceeded") {
    text = "The server is dropping this client: it did not read fast enough";
  } else {
    text = "The server answered: " + S(phrase);
    if (!detail.empty()) text += ": " + S(detail);
  }
  return Paint(kRed, "Error: " + text);
}

std::string Renderer::Unknown(std::string_view line) const { return S(line); }

std::string Renderer::Notice(std::string_view text) const {
  return Paint(kCyan, S(text));
}

std::string Renderer::Error(std::string_view text) const {
  return Paint(kRed, "Error: " + S(text));
}

std::string Renderer::HistoryLine(const HistoryEntry& entry) const {
  std::string line = "[" + FormatClock(entry.when) + "] ";
  switch (entry.kind) {
    case HistoryEntry::Kind::kPrivateIn:
      return line + PrivateFrom(entry.peer, entry.text);
    case HistoryEntry::Kind::kPrivateOut:
      return line + PrivateTo(entry.peer, entry.text);
    case HistoryEntry::Kind::kBroadcastIn:
    case HistoryEntry::Kind::kBroadcastOut:
      return line + Broadcast(entry.peer, entry.text);
  }
  return line;
}

}  // namespace chat::client
