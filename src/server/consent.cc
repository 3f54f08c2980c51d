// Private-message requests: INVITE, ACCEPT, REJECT, END, CHATS, PRIVACY and
// the MESG to an "ask" user, as the broker answers them.
#include "server/consent.h"

#include <algorithm>

#include "protocol/reply.h"
#include "protocol/rooms.h"
#include "server/relay.h"
#include "store/wire.h"

namespace chat::server {
namespace {

using protocol::ErrorCode;
using protocol::FormatError;

void Erase(std::vector<uint32_t>& list, uint32_t value) {
  auto at = std::find(list.begin(), list.end(), value);
  if (at != list.end()) list.erase(at);
}

bool Contains(const std::vector<uint32_t>& list, uint32_t value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

Consent::Consent(WorkerTable& table, Relay& relay, const Log& log)
    : table_(table), relay_(relay), log_(log) {}

std::vector<uint32_t>& Consent::At(std::vector<std::vector<uint32_t>>& lists,
                                   uint32_t index) {
  if (lists.size() != table_.capacity()) lists.resize(table_.capacity());
  return lists[index];
}

bool Consent::Accepted(uint32_t a, uint32_t b) {
  return Contains(At(chats_, a), b);
}

void Consent::OnRequest(uint32_t from, const ipc::FrameView& frame) {
  if (!table_.at(from).registered) {
    relay_.Answer(from, FormatError(ErrorCode::kUnregisteredUser,
                                    "send JOIN <username> first"));
    return;
  }
  switch (static_cast<ConsentOp>(frame.count)) {
    case ConsentOp::kInvite:
      return Invite(from, frame.target, frame.payload);
    case ConsentOp::kAccept:
      return Answer(from, frame.payload, true);
    case ConsentOp::kReject:
      return Answer(from, frame.payload, false);
    case ConsentOp::kEnd:
      return End(from, frame.payload);
    case ConsentOp::kChats:
      return Chats(from);
    case ConsentOp::kPrivacy: {
      bool ask = frame.payload == "ask";
      Changed({Change::kPrivacy, from, from, ask});
      relay_.Answer(from, protocol::FormatOkWith("PRIVACY", frame.payload));
      return;
    }
    case ConsentOp::kMesg:
      return Mesg(from, frame.target, frame.payload);
    case ConsentOp::kRestore:
      return Restore(from, frame.payload);
  }
  relay_.Kill(from, "sent an unknown private-message request " +
                        std::to_string(frame.count));
}

void Consent::Changed(const Change& change) {
  // With accounts (the store), this is where the change is handed on to be
  // stored for two accounts, and privacy for one; nothing else writes it.
  const WorkerEntry& user = table_.at(change.user);
  const WorkerEntry& other = table_.at(change.other);
  if (change.kind == Change::kPrivacy && user.account) {
    relay_.Store(store::EncodeRequest(
        0, store::Op::kPrivacy, {user.name, change.ask ? "ask" : "open"}));
  } else if (change.kind != Change::kPrivacy && user.account && other.account) {
    relay_.Store(store::EncodeRequest(
        0, store::Op::kContact,
        {user.name, other.name, change.kind == Change::kAccepted ? "1" : "0"}));
  }
  if (!log_.info()) return;
  switch (change.kind) {
    case Change::kAccepted:
      log_.Info(user.subject, "private chat " + table_.at(change.other).name +
                                  " <-> " + user.name + " accepted by " +
                                  user.name);
      return;
    case Change::kEnded:
      log_.Info(user.subject, "private chat " + user.name + " <-> " +
                                  table_.at(change.other).name + " ended by " +
                                  user.name);
      return;
    case Change::kPrivacy:
      log_.Info(user.subject,
                "PRIVACY " + user.name + " " + (change.ask ? "ask" : "open"));
      return;
  }
}

void Consent::Invite(uint32_t from, ipc::WorkerId target,
                     std::string_view typed) {
  WorkerEntry* invitee = table_.Find(target);
  if (invitee == nullptr || !invitee->registered) {
    relay_.Answer(from, FormatError(ErrorCode::kUnknownRecipient, typed));
    return;
  }
  uint32_t to = target.connection;
  const WorkerEntry& inviter = table_.at(from);
  // One may always write to oneself: nothing to ask.
  if (to != from) {
    if (!Contains(At(invited_, from), to)) {
      At(invited_, from).push_back(to);
      At(invited_by_, to).push_back(from);
    }
    relay_.Deliver(to, protocol::FormatConsentPush("INVITE", inviter.name));
    if (log_.info()) {
      log_.Info(inviter.subject,
                "INVITE " + inviter.name + " -> " + invitee->name);
    }
  }
  relay_.Answer(from, protocol::FormatOkWith("INVITE", invitee->name));
}

void Consent::Answer(uint32_t from, std::string_view typed, bool accept) {
  std::optional<uint32_t> inviter = table_.FindRegistered(typed);
  if (!inviter || !Contains(At(invited_by_, from), *inviter)) {
    relay_.Answer(from, FormatError(ErrorCode::kNoInvitation, typed));
    return;
  }
  Erase(At(invited_by_, from), *inviter);
  Erase(At(invited_, *inviter), from);
  const WorkerEntry& me = table_.at(from);
  const WorkerEntry& them = table_.at(*inviter);
  if (accept) {
    if (!Accepted(from, *inviter)) {
      At(chats_, from).push_back(*inviter);
      At(chats_, *inviter).push_back(from);
    }
    relay_.Deliver(*inviter, protocol::FormatConsentPush("ACCEPTED", me.name));
    Changed({Change::kAccepted, from, *inviter, false});
  } else {
    relay_.Deliver(*inviter, protocol::FormatConsentPush("REJECTED", me.name));
    if (log_.info()) {
      log_.Info(me.subject, "invitation " + them.name + " -> " + me.name +
                                " rejected by " + me.name);
    }
  }
  relay_.Answer(
      from, protocol::FormatOkWith(accept ? "ACCEPT" : "REJECT", them.name));
}

void Consent::End(uint32_t from, std::string_view typed) {
  std::optional<uint32_t> other = table_.FindRegistered(typed);
  if (!other || !Accepted(from, *other)) {
    relay_.Answer(from, FormatError(ErrorCode::kNoPrivateChat, typed));
    return;
  }
  Erase(At(chats_, from), *other);
  Erase(At(chats_, *other), from);
  relay_.Deliver(*other,
                 protocol::FormatConsentPush("ENDED", table_.at(from).name));
  Changed({Change::kEnded, from, *other, false});
  relay_.Answer(from, protocol::FormatOkWith("END", table_.at(*other).name));
}

void Consent::Chats(uint32_t from) {
  std::vector<std::string> names;
  for (uint32_t other : At(chats_, from))
    names.push_back(table_.at(other).name);
  relay_.Answer(from, protocol::FormatChats(names));
}

void Consent::Mesg(uint32_t from, ipc::WorkerId target,
                   std::string_view payload) {
  size_t space = payload.find(' ');
  std::string_view name = payload.substr(0, space);
  std::string_view push =
      space == std::string_view::npos ? "" : payload.substr(space + 1);
  WorkerEntry* recipient = table_.Find(target);
  if (recipient == nullptr || !recipient->registered) {
    relay_.Answer(from, FormatError(ErrorCode::kUnknownRecipient, name));
    return;
  }
  if (!Accepted(from, target.connection)) {
    if (log_.info()) {
      log_.Info(table_.at(from).subject, "MESG " + table_.at(from).name +
                                             " -> " + recipient->name +
                                             " refused: Not Accepted");
    }
    relay_.Answer(from, FormatError(ErrorCode::kNotAccepted, recipient->name));
    return;
  }
  relay_.Deliver(target.connection, push);
  relay_.Answer(from, protocol::FormatOkMesg(recipient->name));
}

void Consent::Restore(uint32_t from, std::string_view names) {
  // Only accounts on line now: the others restore theirs when they log in.
  while (!names.empty()) {
    size_t end = names.find(' ');
    std::string_view name = names.substr(0, end);
    names = end == std::string_view::npos ? std::string_view()
                                          : names.substr(end + 1);
    auto other = table_.FindRegistered(name);
    if (!other || *other == from || !table_.at(*other).account ||
        Accepted(from, *other)) {
      continue;
    }
    At(chats_, from).push_back(*other);
    At(chats_, *other).push_back(from);
  }
}

void Consent::Forget(uint32_t index) {
  if (index >= chats_.size() && index >= invited_.size() &&
      index >= invited_by_.size()) {
    return;
  }
  for (uint32_t invitee : At(invited_, index)) {
    Erase(At(invited_by_, invitee), index);
  }
  for (uint32_t inviter : At(invited_by_, index)) {
    Erase(At(invited_, inviter), index);
  }
  std::string ended;
  for (uint32_t other : At(chats_, index)) {
    Erase(At(chats_, other), index);
    ended += (ended.empty() ? "" : ",") + table_.at(other).name;
  }
  if (!ended.empty() && log_.info()) {
    const WorkerEntry& entry = table_.at(index);
    log_.Info(entry.subject, "private chats of " + entry.name + " with " +
                                 ended + " ended with the session");
  }
  At(invited_, index).clear();
  At(invited_by_, index).clear();
  At(chats_, index).clear();
}

}  // namespace chat::server
