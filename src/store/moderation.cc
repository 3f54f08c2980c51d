// Moderation: the control requests and the broker's ban list.
#include "store/moderation.h"

#include "store/bans.h"
#include "store/wire.h"

namespace chat::store {
namespace {

// The first word of `*text`, which loses it and the space after it.
std::string_view TakeWord(std::string_view* text) {
  size_t end = text->find(' ');
  std::string_view word = text->substr(0, end);
  *text = end == std::string_view::npos ? std::string_view()
                                        : text->substr(end + 1);
  return word;
}

}  // namespace

void Moderation::SendBans() {
  std::vector<Ban> bans = ActiveBans(db_, NowMs(), BanKind::kAddress);
  std::vector<std::string> untils;
  untils.reserve(bans.size());
  for (const Ban& ban : bans) {
    untils.push_back(ban.until ? std::to_string(*ban.until) : "");
  }
  // As many bans a frame as fit; `count` 1 on all but the last frame.
  std::vector<std::string_view> fields;
  size_t bytes = 0;
  for (size_t i = 0; i <= bans.size(); ++i) {
    const bool last = i == bans.size();
    const size_t more = last ? 0 : bans[i].target.size() + untils[i].size() + 8;
    if (last || bytes + more + 1 > ipc::kMaxFramePayload) {
      broker_.Queue(ipc::FrameKind::kBanList, Encode(0, fields), {},
                    last ? 0 : 1);
      fields.clear();
      bytes = 0;
    }
    if (last) break;
    fields.push_back(bans[i].target);
    fields.push_back(untils[i]);
    bytes += more;
  }
}

std::string Moderation::Kick(std::string_view name, std::string_view reason) {
  if (!registry_) return "";
  auto user = registry_->Lookup(name);
  if (!user) return "";
  broker_.Queue(ipc::FrameKind::kKick, Encode(0, {user->name, reason}));
  return user->name;
}

std::string Moderation::Command(std::string_view line) {
  std::string_view verb = TakeWord(&line);
  if (verb == "BANS") {
    SendBans();
    std::string answer = "OK";
    for (const Ban& ban : ActiveBans(db_, NowMs(), BanKind::kName)) {
      std::string kicked = Kick(ban.target, "banned");
      if (!kicked.empty()) answer += " " + kicked;
    }
    return answer + "\n";
  }
  if (verb == "KICK") {
    std::string_view name = TakeWord(&line);
    std::string kicked = Kick(name, line);
    if (kicked.empty()) return "ERR not online\n";
    return "OK " + kicked + "\n";
  }
  if (verb == "RUN") return "OK " + std::to_string(run_) + "\n";
  return "ERR unknown request\n";
}

}  // namespace chat::store
