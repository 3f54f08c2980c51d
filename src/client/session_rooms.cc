// Session: rooms, /talk and private-message requests as the user sees them.
// Shows room messages, room and request pushes and the answers to these
// requests, and keeps what the user needs at hand: the rooms it is in, the
// invitations waiting for its answer and its accepted private chats.
#include <algorithm>

#include "client/session.h"
#include "protocol/rooms.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

using protocol::ServerLineKind;

void Split(std::string_view s, std::string_view* head, std::string_view* tail) {
  const size_t space = s.find(' ');
  *head = s.substr(0, space);
  *tail = space == std::string_view::npos ? std::string_view{}
                                          : s.substr(space + 1);
}

std::vector<std::string_view> SplitCommas(std::string_view list) {
  std::vector<std::string_view> items;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (comma != 0) items.push_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

void AddOnce(std::vector<std::string>* list, std::string_view name) {
  for (const std::string& item : *list) {
    if (protocol::EqualsIgnoreCase(item, name)) return;
  }
  list->emplace_back(name);
}

void RemoveName(std::vector<std::string>* list, std::string_view name) {
  std::erase_if(*list, [&](const std::string& item) {
    return protocol::EqualsIgnoreCase(item, name);
  });
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

bool Session::IsRoomsAnswer(std::string_view line) {
  std::string_view word, rest;
  Split(line, &word, &rest);
  return word == "ROOMS" || word == "CHATS";
}

std::vector<std::string> Session::known_names() const {
  std::vector<std::string> names = roster_.names();
  for (const auto* rooms : {&rooms_, &rooms_seen_}) {
    for (const std::string& room : *rooms) {
      if (std::find(names.begin(), names.end(), room) == names.end()) {
        names.push_back(room);
      }
    }
  }
  return names;
}

std::string Session::ChatPrompt() const {
  if (talk_.empty()) return name_ + "> ";
  return name_ + " to " + talk_ + "> ";
}

void Session::Talk(const std::string& target) {
  talk_ = target;
  if (target.empty()) {
    Show(renderer_.Notice("Plain lines go to everyone again"));
  } else {
    Show(renderer_.Notice("Plain lines go to " + target +
                          " now; /talk alone sends them to everyone"));
  }
  io_.SetPrompt(ChatPrompt());
}

bool Session::HandleRoomsLine(std::string_view line,
                              const protocol::ServerLine& parsed,
                              const SentRequest* answered) {
  std::string_view head, tail;
  switch (parsed.kind) {
    case ServerLineKind::kOk: {
      const std::string_view verb = parsed.first;
      const std::string_view arg = parsed.second;
      Split(arg, &head, &tail);
      if (verb == "JOIN" && protocol::IsRoomTarget(head)) {
        AddOnce(&rooms_, head);
        Show(renderer_.Notice("You are in " + std::string(head) + " (/talk " +
                              std::string(head) + " to write there)"));
        return true;
      }
      if (verb == "PART") {
        RemoveName(&rooms_, arg);
        if (protocol::EqualsIgnoreCase(talk_, arg)) Talk("");
        Show(renderer_.Notice("You left " + std::string(arg)));
        return true;
      }
      if (verb == "MESG" && protocol::IsRoomTarget(head)) {
        const std::string text = answered ? answered->text : std::string();
        history_.Add({settings_.clock(), HistoryEntry::Kind::kPrivateOut,
                      std::string(head), text});
        Show("[" + protocol::SanitizeForTerminal(head) + "] " +
             renderer_.Broadcast(name_, text));
        return true;
      }
      if (verb == "INVITE") {
        Show(renderer_.Notice("Asked " + std::string(arg) +
                              " to chat privately; waiting for the answer"));
        return true;
      }
      if (verb == "ACCEPT") {
        RemoveName(&invitations_, arg);
        AddOnce(&chats_, arg);
        Show(renderer_.Notice("You accepted " + std::string(arg) +
                              ": you can now chat privately"));
        return true;
      }
      if (verb == "REJECT") {
        RemoveName(&invitations_, arg);
        Show(renderer_.Notice("You declined " + std::string(arg) +
                              "'s invitation"));
        return true;
      }
      if (verb == "END") {
        RemoveName(&chats_, arg);
        Show(renderer_.Notice("Private chat with " + std::string(arg) +
                              " ended"));
        return true;
      }
      if (verb == "PRIVACY") {
        Show(renderer_.Notice(
            arg == "ask" ? "Privacy: ask (only users you accept may send you "
                           "private messages)"
                         : "Privacy: open (anyone may send you private "
                           "messages)"));
        return true;
      }
      return false;
    }
    case ServerLineKind::kList: {
      if (parsed.names.empty() || !protocol::IsRoomTarget(parsed.names[0])) {
        return false;
      }
      // "LIST #room a,b": the room, then its members.
      Split(line.substr(5), &head, &tail);
      std::vector<std::string_view> members = SplitCommas(tail);
      std::vector<std::string> lines{renderer_.Notice(std::string(head) + ":")};
      for (std::string& member : renderer_.UserList(members, name_)) {
        lines.push_back(std::move(member));
      }
      io_.Show(lines);
      return true;
    }
    case ServerLineKind::kMesg: {
      if (!protocol::IsRoomTarget(parsed.first)) return false;
      if (protocol::IsValidRoomName(parsed.first)) {
        AddOnce(&rooms_seen_, parsed.first);
      }
      Split(parsed.second, &head, &tail);
      roster_.Add(head);
      history_.Add({settings_.clock(), HistoryEntry::Kind::kPrivateIn,
                    std::string(parsed.first),
                    std::string(head) + ": " + std::string(tail)});
      Show("[" + protocol::SanitizeForTerminal(parsed.first) + "] " +
           renderer_.Broadcast(head, tail));
      return true;
    }
    case ServerLineKind::kJoined:
    case ServerLineKind::kLeft: {
      if (!protocol::IsRoomTarget(parsed.first)) {
        if (parsed.kind == ServerLineKind::kLeft) {
          // Gone from the server: its invitation lapsed, its chat ended.
          RemoveName(&invitations_, parsed.first);
          RemoveName(&chats_, parsed.first);
        }
        return false;
      }
      Split(parsed.first, &head, &tail);
      const bool joined = parsed.kind == ServerLineKind::kJoined;
      Show(renderer_.Notice(std::string(tail) +
                            (joined ? " joined " : " left ") +
                            std::string(head)));
      return true;
    }
    case ServerLineKind::kError:
      if (parsed.first != "Not Accepted") return false;
      Show(renderer_.ServerError(parsed.first, parsed.second, answered));
      Show(renderer_.Notice(std::string(parsed.second) +
                            " accepts private messages only from users it "
                            "accepted: /invite " +
                            std::string(parsed.second) + " asks first"));
      return true;
    case ServerLineKind::kUnknown:
      break;
    default:
      return false;
  }
  Split(line, &head, &tail);
  if (head == "ROOMS") {
    std::vector<std::string_view> rooms = SplitCommas(tail);
    std::vector<std::string> lines{renderer_.Notice(
        rooms.empty() ? "No rooms yet: /join #name makes one"
                      : "Rooms (" + std::to_string(rooms.size()) + "):")};
    for (std::string_view room : rooms) {
      const size_t colon = room.rfind(':');
      std::string_view name = room.substr(0, colon);
      std::string_view count = colon == std::string_view::npos
                                   ? std::string_view{}
                                   : room.substr(colon + 1);
      if (protocol::IsValidRoomName(name)) AddOnce(&rooms_seen_, name);
      lines.push_back(renderer_.Notice("  " + std::string(name) + " (" +
                                       std::string(count) + ")"));
    }
    io_.Show(lines);
    return true;
  }
  if (head == "CHATS") {
    chats_.clear();
    for (std::string_view name : SplitCommas(tail)) AddOnce(&chats_, name);
    std::vector<std::string> lines{renderer_.Notice(
        chats_.empty() ? "No private chats"
                       : "Private chats: " + JoinNames(chats_))};
    if (!invitations_.empty()) {
      lines.push_back(renderer_.Notice(
          "Waiting for your answer: " + JoinNames(invitations_) +
          " (/accept NAME or /reject NAME)"));
    }
    io_.Show(lines);
    return true;
  }
  const std::string who(tail);
  if (head == "INVITE" && protocol::IsValidUsername(who)) {
    AddOnce(&invitations_, who);
    roster_.Add(who);
    Show(renderer_.Notice(who + " asks to chat privately: /accept " + who +
                          " or /reject " + who));
    return true;
  }
  if (head == "ACCEPTED" && protocol::IsValidUsername(who)) {
    AddOnce(&chats_, who);
    Show(renderer_.Notice(who + " accepted: you can now chat privately (/msg " +
                          who + " ...)"));
    return true;
  }
  if (head == "REJECTED" && protocol::IsValidUsername(who)) {
    Show(renderer_.Notice(who + " declined to chat privately"));
    return true;
  }
  if (head == "ENDED" && protocol::IsValidUsername(who)) {
    RemoveName(&chats_, who);
    Show(renderer_.Notice(who + " ended the private chat"));
    return true;
  }
  return false;
}

}  // namespace chat::client
