// Session: HISTORY. The store sends the lines in parts; they are written
// together, after every part has come, so no push falls between them.
#include "protocol/reply.h"
#include "protocol/text.h"
#include "server/session.h"
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
  } else if (target.starts_with("#")) {
    // Rooms keep no history on this server yet.
    Reply(FormatError(ErrorCode::kBadSyntax,
                      "HISTORY <target> [<count> [<before-id>]]"));
    return;
  }
  std::string count = std::to_string(request.count);
  std::string before =
      request.before == 0 ? std::string() : std::to_string(request.before);
  Ask(StoreWait::kHistory, static_cast<uint8_t>(store::Op::kHistory),
      {name_, account_ ? "1" : "0", target, count, before});
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
  // One Reply: held behind an unanswered BCST as a whole, if need be.
  Reply(lines);
}

}  // namespace chat::server
