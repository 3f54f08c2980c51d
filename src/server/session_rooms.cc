// Session: the worker's side of rooms and private-message requests. Each
// request is checked as far as the worker can (registered, the recipient
// online), then handed to the broker, which owns rooms and consent
// (rooms.h, consent.h) and answers with one kAnswer; the answer keeps its
// place among this connection's answers like a BCST's.
#include "ipc/trace_point.h"
#include "protocol/reply.h"
#include "protocol/rooms.h"
#include "server/consent.h"
#include "server/rooms.h"
#include "server/session.h"

namespace chat::server {

using protocol::ErrorCode;
using protocol::FormatError;
using protocol::Verb;

bool Session::IsRoomsRequest(const protocol::Request& request) {
  switch (request.verb) {
    case Verb::kJoin:
    case Verb::kList:
    case Verb::kMesg:
      return protocol::IsRoomTarget(request.name);
    case Verb::kBcst:
    case Verb::kQuit:
    case Verb::kPing:
    case Verb::kRegister:
    case Verb::kLogin:
    case Verb::kPassword:
    case Verb::kUnregister:
    case Verb::kHistory:
    case Verb::kFile:
      return false;
    case Verb::kPart:
    case Verb::kRooms:
    case Verb::kPrivacy:
    case Verb::kInvite:
    case Verb::kAccept:
    case Verb::kReject:
    case Verb::kEnd:
    case Verb::kChats:
      return true;
  }
  return false;
}

void Session::AwaitBrokerAnswer() {
  held_answers_.emplace_back();  // filled by the broker's kAnswer
  ++unanswered_bcsts_;
}

void Session::OnBrokerAnswer(std::string_view line) {
  if (line.starts_with("OK JOIN #")) ipc::TracePoint("room-join:answered");
  ChargeAnswer(line.size());
  NoteRoomAnswer(line);
  AnswerOldest(line);
}

void Session::RoomsRequest(const protocol::Request& request,
                           std::string_view line) {
  if (!registered_) {
    LogRequest(request, line);
    return RefuseUnregistered();
  }
  // The log names the room or the other user of every such request.
  if (log_.info()) {
    std::string event = "request ";
    event += protocol::VerbName(request.verb);
    if (!request.name.empty()) event += " " + std::string(request.name);
    if (request.verb == Verb::kPrivacy)
      event += " " + std::string(request.text);
    event += " by " + name_;
    if (request.verb == Verb::kMesg && log_.verbose()) {
      event += ": " + std::string(request.text);
    }
    request_log_.Info(event);
  }
  auto room = [this](RoomOp op, std::string_view payload) {
    channel_.Queue(ipc::FrameKind::kRoomRequest, payload, {},
                   static_cast<uint32_t>(op));
    AwaitBrokerAnswer();
  };
  auto consent = [this](ConsentOp op, std::string_view payload,
                        ipc::WorkerId target = {}) {
    channel_.Queue(ipc::FrameKind::kConsentRequest, payload, target,
                   static_cast<uint32_t>(op));
    AwaitBrokerAnswer();
  };
  switch (request.verb) {
    case Verb::kJoin:
      room(RoomOp::kJoin, request.name);
      ipc::TracePoint("room-join:queued");
      return;
    case Verb::kPart:
      return room(RoomOp::kPart, request.name);
    case Verb::kList:
      return room(RoomOp::kList, request.name);
    case Verb::kRooms:
      return room(RoomOp::kRooms, {});
    case Verb::kMesg:
      return room(RoomOp::kMesg, protocol::FormatRoomMesgPush(
                                     request.name, name_, request.text));
    case Verb::kPrivacy:
      // Senders read the setting from the registry (Mesg); the broker
      // answers once the change is recorded (Consent::Changed).
      registry_.SetPrivacy(id_, request.text == "ask");
      return consent(ConsentOp::kPrivacy, request.text);
    case Verb::kInvite: {
      auto invitee = registry_.Lookup(request.name);
      if (!invitee) {
        Reply(FormatError(ErrorCode::kUnknownRecipient, request.name));
        return;
      }
      return consent(ConsentOp::kInvite, request.name, invitee->worker);
    }
    case Verb::kAccept:
      return consent(ConsentOp::kAccept, request.name);
    case Verb::kReject:
      return consent(ConsentOp::kReject, request.name);
    case Verb::kEnd:
      return consent(ConsentOp::kEnd, request.name);
    case Verb::kChats:
      return consent(ConsentOp::kChats, {});
    case Verb::kBcst:
    case Verb::kQuit:
    case Verb::kPing:
    case Verb::kRegister:
    case Verb::kLogin:
    case Verb::kPassword:
    case Verb::kUnregister:
    case Verb::kHistory:
    case Verb::kFile:
      return;  // not rooms requests (IsRoomsRequest)
  }
}

void Session::MesgAsk(const ipc::RegisteredUser& recipient,
                      std::string_view text) {
  std::string payload = recipient.name;
  payload += ' ';
  payload += protocol::FormatMesgPush(name_, text);
  channel_.Queue(ipc::FrameKind::kConsentRequest, payload, recipient.worker,
                 static_cast<uint32_t>(ConsentOp::kMesg));
  AwaitBrokerAnswer();
}

void Session::RestoreConsent() {
  if (!saved_privacy_.empty()) {
    registry_.SetPrivacy(id_, saved_privacy_ == "ask");
  }
  std::string names;
  for (const auto& name : saved_contacts_) {
    names += (names.empty() ? "" : " ") + name;
  }
  if (!names.empty()) {
    channel_.Queue(ipc::FrameKind::kConsentRequest, names, {},
                   static_cast<uint32_t>(ConsentOp::kRestore));
  }
  saved_privacy_.clear();
  saved_contacts_.clear();
}

}  // namespace chat::server
