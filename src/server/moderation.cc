// Moderation: the broker's ban list and kicks.
#include "server/moderation.h"

#include <charconv>
#include <chrono>
#include <string>

#include "protocol/reply.h"
#include "store/wire.h"

namespace chat::server {
namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Moderation::OnFrame(const ipc::FrameView& frame) {
  if (frame.kind == ipc::FrameKind::kBanList) OnBanList(frame);
  if (frame.kind == ipc::FrameKind::kKick) OnKick(frame);
}

bool Moderation::Banned(const std::optional<Address16>& address) const {
  if (!address || bans_.empty()) return false;
  const int64_t now = WallMs();
  for (const Ban& ban : bans_) {
    if ((!ban.until || *ban.until > now) && ban.network.Contains(*address)) {
      return true;
    }
  }
  return false;
}

void Moderation::OnBanList(const ipc::FrameView& frame) {
  auto decoded = store::Decode(frame.payload);
  if (decoded) {
    for (size_t i = 0; i + 1 < decoded->fields.size(); i += 2) {
      auto network = ParseCidr(decoded->fields[i]);
      if (!network) continue;  // chat-admin checks what it stores
      Ban ban{*network, std::nullopt};
      std::string_view until = decoded->fields[i + 1];
      int64_t ms = 0;
      if (!until.empty() &&
          std::from_chars(until.data(), until.data() + until.size(), ms).ec ==
              std::errc()) {
        ban.until = ms;
      }
      incoming_.push_back(ban);
    }
  }
  if (frame.count != 0) return;  // more follow
  bans_.swap(incoming_);
  incoming_.clear();
  log_.Info(kServerSubject,
            std::to_string(bans_.size()) + " address bans in force");
  if (bans_.empty()) return;
  for (uint32_t index = 0; index < table_.capacity(); ++index) {
    const WorkerEntry& entry = table_.at(index);
    if (entry.in_use && !entry.killed && Banned(entry.address)) {
      Kick(index, "banned");
    }
  }
}

void Moderation::OnKick(const ipc::FrameView& frame) {
  auto decoded = store::Decode(frame.payload);
  if (!decoded || decoded->fields.size() != 2) return;
  if (auto index = table_.FindRegistered(decoded->fields[0])) {
    Kick(*index, decoded->fields[1]);
  }
}

void Moderation::Kick(uint32_t index, std::string_view reason) {
  const WorkerEntry& entry = table_.at(index);
  log_.Info(entry.subject, "kicked by the operator" +
                               (entry.name.empty() ? "" : ": " + entry.name) +
                               " from " + entry.peer + ": " +
                               std::string(reason));
  relay_.SendNow(index, ipc::FrameKind::kShutdown,
                 std::string(protocol::kByeKickedPrefix) + std::string(reason));
}

}  // namespace chat::server
