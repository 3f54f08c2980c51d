// Session: HISTORY. The store sends the lines in parts; they are written
// together, after every part has come, so no push falls between them.
//
// Room membership is the broker's (rooms.h); the worker knows its own from
// the answers to its JOIN and PART of rooms, so a HISTORY of a room waits
// for the answers before it and then asks the store only for a room it is
// in. A room it is not in is Not In Room whether or not it exists: the
// worker does not learn of rooms it has not entered.
#include <algorithm>

#include "protocol/reply.h"
#include "protocol/text.h"
#include "server/session.h"
#include "store/database.h"
#include "store/wire.h"

namespace chat::server {

using protocol::ErrorCode;
using protocol::FormatError;

void Session::History(const protocol::Request& request) {
  if (RefuseWithoutStore("HISTORY")) return;
  const std::string_view target = request.name;
  if (target != "*" && !target.starts_with("#")) {
    if (!protocol::IsValidUsername(target)) {
      Reply(FormatError(ErrorCode::kBadSyntax,
                        "HISTORY <target> [<count> [<before-id>]]"));
      return;
    }
    // Private history belongs to accounts.
    if (!account_) {
      log_.Info(subject_, "HISTORY by " + name_ + " refused: No Account");
      Reply(FormatError(ErrorCode::kNoAccount));
      return;
    }
  }
  history_target_ = target;
  history_count_ = request.count;
  history_before_ = request.before;
  if (target.starts_with("#") && unanswered_bcsts_ > 0) {
    history_waiting_ = true;
    return;
  }
  HistoryNow();
}

void Session::HistoryNow() {
  if (history_target_.starts_with("#") &&
      std::find(rooms_in_.begin(), rooms_in_.end(),
                store::Key(history_target_)) == rooms_in_.end()) {
    log_.Info(subject_, "HISTORY by " + name_ + " refused: Not In Room " +
                            history_target_);
    Reply(FormatError(ErrorCode::kNotInRoom, history_target_));
    return;
  }
  std::string count = std::to_string(history_count_);
  std::string before =
      history_before_ == 0 ? std::string() : std::to_string(history_before_);
  Ask(StoreWait::kHistory, static_cast<uint8_t>(store::Op::kHistory),
      {name_, account_ ? "1" : "0", history_target_, count, before});
}

void Session::NoteRoomAnswer(std::string_view line) {
  constexpr std::string_view kJoined = "OK JOIN #", kParted = "OK PART #";
  const bool joined = line.starts_with(kJoined);
  if (!joined && !line.starts_with(kParted)) return;
  std::string_view room = line.substr(kJoined.size() - 1);
  while (!room.empty() && (room.back() == '\n' || room.back() == '\r')) {
    room.remove_suffix(1);
  }
  std::string key = store::Key(room);
  auto at = std::find(rooms_in_.begin(), rooms_in_.end(), key);
  if (joined && at == rooms_in_.end()) rooms_in_.push_back(key);
  if (!joined && at != rooms_in_.end()) rooms_in_.erase(at);
}

void Session::HistoryAnswered(uint8_t status_byte) {
  const auto status = static_cast<store::Status>(status_byte);
  if (status != store::Status::kOk) {
    parts_.clear();
    Reply(FormatError(ErrorCode::kUnavailable,
                      status == store::Status::kGone
                          ? "the database restarted; try again"
                          : "the database failed; try again"));
    return;
  }
  std::string lines;
  size_t count = 0;
  for (size_t i = 0; i + 4 < parts_.size(); i += 5, ++count) {
    lines += protocol::FormatHistoryLine(
        parts_[i], parts_[i + 1], parts_[i + 2], parts_[i + 3], parts_[i + 4]);
  }
  parts_.clear();
  lines += protocol::FormatOkHistory(count);
  ChargeAnswer(lines.size());
  // One Reply: held behind an unanswered BCST as a whole, if need be.
  Reply(lines);
}

}  // namespace chat::server
