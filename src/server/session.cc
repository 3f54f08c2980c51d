// Session: every request of PROTOCOL.md, its answer and its error phrase.
#include "server/session.h"

#include <variant>

#include "protocol/reply.h"
#include "protocol/text.h"
#include "server/cross_protocol.h"
#include "server/flood.h"
#include "store/wire.h"

namespace chat::server {

using protocol::ErrorCode;
using protocol::FormatError;

namespace {

constexpr std::string_view kJoinFirst = "send JOIN <username> first";

}  // namespace

Session::Session(ipc::Registry& registry, ipc::Channel& channel,
                 ipc::WorkerId id, const Log& log, std::string subject)
    : registry_(registry),
      channel_(channel),
      id_(id),
      log_(log),
      subject_(std::move(subject)) {}

void Session::Start() { Push(protocol::FormatHello()); }

void Session::OnInput(std::string_view bytes) {
  if (ended()) return;
  assembler_.Append(bytes);
  HandleLines();
}

void Session::Resume() {
  // OFFLINE lines are removed from the store once written to the client.
  if (!mailbox_last_.empty() && output_.empty() && registered_) {
    Tell(static_cast<uint8_t>(store::Op::kMailboxDone), {name_, mailbox_last_});
    mailbox_last_.clear();
  }
  if (lines_waiting_) HandleLines();
}

void Session::HandleLines() {
  std::string_view line;
  lines_waiting_ = true;
  throttled_ = false;
  while (!ended() && !awaiting_broker() && !OutputPaused()) {
    // Out of budget: the lines wait, and so does the socket (flood.h). The
    // clock is read only where flood control applies.
    TokenBucket::Clock::time_point now{};
    if (flood_ != nullptr) {
      now = TokenBucket::Clock::now();
      if (!flood_->Ready(now) || !file_flood_->Ready(now)) {
        throttled_ = true;
        return;
      }
    }
    const auto status = assembler_.Next(&line);
    if (status == protocol::LineAssembler::Status::kNeedMore) {
      lines_waiting_ = false;
      return;
    }
    if (flood_ != nullptr) {
      if (status == protocol::LineAssembler::Status::kLine &&
          IsFileDataLine(line)) {
        file_flood_->Spend(static_cast<double>(line.size() + 1), now);
      } else {
        flood_->Spend(1, now);
      }
    }
    if (status == protocol::LineAssembler::Status::kTooLong) {
      request_log_.Info("bad request by " + Who() + ": Line Too Long");
      Reply(FormatError(ErrorCode::kLineTooLong));
    } else {
      HandleLine(line);
    }
  }
}

void Session::ChargeAnswer(size_t bytes) {
  if (flood_ == nullptr) return;
  flood_->Spend(static_cast<double>(bytes / kFloodAnswerBytesPerLine),
                TokenBucket::Clock::now());
}

void Session::HandleLine(std::string_view line) {
  if (line.empty()) return;
  if (!registered_ && LooksLikeHttp(line)) {
    // No answer, not even an error: a browser made to send this must not
    // get a chat line back for the page to read, nor the body's lines
    // obeyed. Whatever is still unwritten (HELLO) is dropped too.
    log_.Error(subject_,
               "possible SECURITY ATTACK detected: an HTTP request "
               "(cross-protocol scripting) on the chat port; closed");
    output_.DropAll();
    End(EndReason::kCrossProtocol);
    return;
  }
  if (!protocol::IsValidText(line)) {
    request_log_.Info("bad request by " + Who() + ": Invalid Text");
    Reply(FormatError(ErrorCode::kInvalidText));
    return;
  }
  auto parsed = protocol::ParseRequest(line);
  if (const auto* error = std::get_if<protocol::RequestError>(&parsed)) {
    request_log_.Info("bad request by " + Who() + ": " +
                      std::string(protocol::ErrorPhrase(error->code)));
    Reply(FormatError(error->code, error->detail));
    return;
  }
  const auto& request = std::get<protocol::Request>(parsed);
  HandleRequest(request, line);
  // The line held a password: its bytes are overwritten where they lie.
  if (!request.password.empty()) {
    Wipe(const_cast<char*>(line.data()), line.size());
    secret_seen_ = true;
  }
}

std::string Session::Who() const {
  return registered_ ? name_ : "(unregistered)";
}

void Session::LogRequest(const protocol::Request& request,
                         std::string_view line) {
  if (!log_.info()) return;
  std::string event = "request ";
  event += protocol::VerbName(request.verb);
  event += " by " + Who();
  size_t space = line.find(' ');
  if (log_.verbose() && space != std::string_view::npos) {
    event += ": ";
    event += line.substr(space + 1);
  }
  request_log_.Info(event);
}

void Session::HandleRequest(const protocol::Request& request,
                            std::string_view line) {
  current_verb_ = request.verb;
  if (request.verb == protocol::Verb::kFile) return FileRequest(request);
  if (IsRoomsRequest(request)) return RoomsRequest(request, line);
  // JOIN logs its own outcome; account requests are logged without their
  // arguments (passwords) by their handlers.
  if (request.verb != protocol::Verb::kJoin &&
      request.verb != protocol::Verb::kRegister &&
      request.verb != protocol::Verb::kLogin &&
      request.verb != protocol::Verb::kPassword &&
      request.verb != protocol::Verb::kUnregister) {
    LogRequest(request, line);
  }
  switch (request.verb) {
    case protocol::Verb::kJoin:
      Join(request.name);
      return;
    case protocol::Verb::kList: {
      if (!registered_) return RefuseUnregistered();
      std::string answer = protocol::FormatList(registry_.Names());
      ChargeAnswer(answer.size());
      Reply(answer);
      return;
    }
    case protocol::Verb::kMesg:
      if (!registered_) return RefuseUnregistered();
      Mesg(request.name, request.text);
      return;
    case protocol::Verb::kBcst:
      if (!registered_) return RefuseUnregistered();
      Bcst(request.text);
      return;
    case protocol::Verb::kQuit:
      // OK QUIT comes last: after the answers of every broadcast before it.
      if (unanswered_bcsts_ > 0) {
        quit_waiting_ = true;
      } else {
        Quit();
      }
      return;
    case protocol::Verb::kPing:
      Reply(protocol::FormatPong(request.text));
      return;
    case protocol::Verb::kRegister:
      Register(request);
      return;
    case protocol::Verb::kLogin:
      Login(request);
      return;
    case protocol::Verb::kPassword:
      if (!registered_) return RefuseUnregistered();
      ChangePassword(request);
      return;
    case protocol::Verb::kUnregister:
      if (!registered_) return RefuseUnregistered();
      Unregister(request);
      return;
    case protocol::Verb::kHistory:
      if (!registered_) return RefuseUnregistered();
      History(request);
      return;
    case protocol::Verb::kPart:  // dispatched above, as rooms requests
    case protocol::Verb::kRooms:
    case protocol::Verb::kPrivacy:
    case protocol::Verb::kInvite:
    case protocol::Verb::kAccept:
    case protocol::Verb::kReject:
    case protocol::Verb::kEnd:
    case protocol::Verb::kChats:
    case protocol::Verb::kFile:  // FileRequest, above
      return;
  }
}

void Session::Quit() {
  End(EndReason::kQuit);
  Reply(protocol::FormatOkQuit());
}

void Session::Reply(std::string_view line) {
  if (!HoldingAnswers()) {
    output_.Append(line);
  } else {
    held_answers_.emplace_back(line);
    held_bytes_ += line.size();
  }
}

void Session::RefuseUnregistered() {
  request_log_.Info(std::string(protocol::VerbName(current_verb_)) +
                    " refused: Unregistered User");
  Reply(FormatError(ErrorCode::kUnregisteredUser, kJoinFirst));
}

void Session::Join(std::string_view name) {
  if (registered_) {
    log_.Info(subject_, "JOIN " + std::string(name) +
                            " refused: Already Registered as " + name_);
    Reply(FormatError(ErrorCode::kAlreadyRegistered, name_));
    return;
  }
  const ipc::JoinResult result = registry_.Join(name, id_, join_limit_);
  switch (result) {
    case ipc::JoinResult::kJoined:
      name_ = name;
      joining_ = Joining::kJoin;
      if (store_) {
        // Claimed first, then checked: an account can only be created by
        // a connection holding its name, so no account of this name can
        // appear while we hold it (session_accounts.cc).
        claimed_ = true;
        pending_name_ = name;
        Ask(StoreWait::kJoinCheck, static_cast<uint8_t>(store::Op::kCheckName),
            {name});
        return;
      }
      FinishJoin();
      return;
    case ipc::JoinResult::kTaken:
      log_.Info(subject_,
                "JOIN " + std::string(name) + " refused: Username Taken");
      Reply(FormatError(ErrorCode::kUsernameTaken, name));
      return;
    case ipc::JoinResult::kInvalid:
      log_.Info(subject_,
                "JOIN " + std::string(name) + " refused: Invalid Username");
      Reply(FormatError(ErrorCode::kInvalidUsername, name));
      return;
    case ipc::JoinResult::kFull:
    case ipc::JoinResult::kAddressFull:
      return RefuseFull("JOIN", name, result);
  }
}

void Session::RefuseFull(std::string_view verb, std::string_view name,
                         ipc::JoinResult result) {
  std::string_view detail =
      result == ipc::JoinResult::kAddressFull ? "from your address" : "";
  log_.Info(subject_, std::string(verb) + " " + std::string(name) +
                          " refused: Too Many Users" +
                          (detail.empty() ? "" : ": " + std::string(detail)));
  Reply(FormatError(ErrorCode::kTooManyUsers, detail));
  End(EndReason::kTooManyUsers);
}

void Session::FinishJoin() {
  claimed_ = false;
  registered_ = true;
  // Guarded here and below: a worker of a quiet server builds no log
  // text, whose heap use would dirty pages of its own.
  if (log_.info()) log_.Info(subject_, "JOIN " + name_ + " accepted");
  if (store_) {
    Tell(static_cast<uint8_t>(store::Op::kSessionName),
         {name_, account_ ? "1" : "0"});
  }
  // OK JOIN waits for the broker's answer (see the header).
  channel_.Queue(ipc::FrameKind::kJoined, name_);
  awaiting_ = Awaiting::kJoin;
}

void Session::Mesg(std::string_view to, std::string_view text) {
  auto recipient = registry_.Lookup(to);
  if (!recipient && store_) return Queue(to, text);
  if (!recipient) {
    request_log_.Info("MESG by " + name_ + " refused: Unknown Recipient " +
                      std::string(to));
    Reply(FormatError(ErrorCode::kUnknownRecipient, to));
    return;
  }
  DeliverMesg(*recipient, text);
}

void Session::DeliverMesg(const ipc::RegisteredUser& recipient,
                          std::string_view text) {
  if (recipient.ask && recipient.worker != id_) {
    return MesgAsk(recipient, text);
  }
  std::string push = protocol::FormatMesgPush(name_, text);
  if (recipient.worker == id_) {
    output_.Append(push);
  } else {
    channel_.Queue(ipc::FrameKind::kSendTo, push, recipient.worker);
  }
  Reply(protocol::FormatOkMesg(recipient.name));
}

void Session::Bcst(std::string_view text) {
  channel_.Queue(ipc::FrameKind::kBroadcast,
                 protocol::FormatBcstPush(name_, text));
  held_answers_.emplace_back();  // OK BCST <n>, once the broker says n
  ++unanswered_bcsts_;
}

void Session::OnFrame(const ipc::FrameView& frame) {
  if (ended()) return;
  switch (frame.kind) {
    case ipc::FrameKind::kDeliver:
      if (holding_pushes_) {
        held_pushes_.append(frame.payload);
      } else {
        output_.Append(frame.payload);
      }
      return;
    case ipc::FrameKind::kStoreReply:
      OnStoreReply(frame);
      HandleLines();
      return;
    case ipc::FrameKind::kStoreGone:
      OnStoreGone();
      HandleLines();
      return;
    case ipc::FrameKind::kMoveDone:
      OnMoveDone();
      HandleLines();
      return;
    case ipc::FrameKind::kBroadcastDone:
      // The broker answers in the order it was asked, and a JOIN is never
      // behind an unanswered BCST (only the registered broadcast).
      if (awaiting_ == Awaiting::kJoin) {
        awaiting_ = Awaiting::kNothing;
        switch (joining_) {
          case Joining::kRegister:
            Reply(protocol::FormatOkRegister(name_));
            break;
          case Joining::kLogin:
            // OK LOGIN, then the queued messages, then what came meanwhile.
            Reply(protocol::FormatOkLogin(name_));
            Push(held_pushes_);
            std::string().swap(held_pushes_);
            holding_pushes_ = false;
            RestoreConsent();
            break;
          default:
            Reply(protocol::FormatOkJoin(name_));
        }
        joining_ = Joining::kNo;
      } else if (unanswered_bcsts_ > 0) {
        AnswerOldest(protocol::FormatOkBcst(frame.count));
      } else {
        return OnInternalError("broadcast answer without a broadcast");
      }
      HandleLines();
      return;
    case ipc::FrameKind::kAnswer:
      if (unanswered_bcsts_ == 0) {
        return OnInternalError("an answer without a request");
      }
      OnBrokerAnswer(frame.payload);
      HandleLines();
      return;
    case ipc::FrameKind::kShutdown:
      Push(protocol::FormatBye(frame.payload));
      End(frame.payload == protocol::kByeLoggedInElsewhere
              ? EndReason::kLoggedInElsewhere
          : frame.payload.starts_with(protocol::kByeKickedPrefix)
              ? EndReason::kKicked
              : EndReason::kShutdown);
      return;
    case ipc::FrameKind::kFileOpen:
    case ipc::FrameKind::kFileClose:
    case ipc::FrameKind::kFileData:
      return OnFileFrame(frame);
    default:
      return OnInternalError("unexpected frame kind " +
                             std::to_string(static_cast<int>(frame.kind)) +
                             " from the broker");
  }
}

void Session::AnswerOldest(std::string_view answer) {
  // The front of held_answers_ is always the oldest BCST's place.
  PopHeldAnswer();
  --unanswered_bcsts_;
  output_.Append(answer);
  while (HoldingAnswers() && !held_answers_[held_head_].empty()) {
    output_.Append(held_answers_[held_head_]);
    held_bytes_ -= held_answers_[held_head_].size();
    PopHeldAnswer();
  }
  if (quit_waiting_ && unanswered_bcsts_ == 0) {
    quit_waiting_ = false;
    Quit();
  }
  if (history_waiting_ && unanswered_bcsts_ == 0) {
    history_waiting_ = false;
    HistoryNow();
  }
}

void Session::PopHeldAnswer() {
  ++held_head_;
  // At most kMaxUnansweredBcsts BCSTs and what is held behind them wait, so
  // the vector is emptied often; it is freed then, not kept at its peak.
  if (held_head_ == held_answers_.size()) {
    std::vector<std::string>().swap(held_answers_);
    held_head_ = 0;
  } else if (held_head_ >= 32 && held_head_ * 2 >= held_answers_.size()) {
    // A client that keeps broadcasting may never let it empty: the answered
    // front is moved out once it is most of it (O(1) amortised).
    held_answers_.erase(
        held_answers_.begin(),
        held_answers_.begin() + static_cast<std::ptrdiff_t>(held_head_));
    held_head_ = 0;
  }
}

void Session::OnJoinTimeout() {
  if (ended() || registered_) return;
  Push(protocol::FormatBye(protocol::kByeJoinTimeout));
  End(EndReason::kJoinTimeout);
}

void Session::OnShutdown() {
  if (ended()) return;
  Push(protocol::FormatBye(protocol::kByeShutdown));
  End(EndReason::kShutdown);
}

void Session::OnBrokerGone() {
  if (ended()) return;
  Push(protocol::FormatBye(protocol::kByeShutdown));
  End(EndReason::kBrokerGone);
}

void Session::OnClientClosed() { End(EndReason::kClosed); }

void Session::OnClientError() { End(EndReason::kClientError); }

void Session::OnSendQueueExceeded() {
  if (ended()) return;
  // The queue is dropped; only the line being written is finished so that
  // the error, if the client ever reads that far, is a line of its own.
  output_.DropAllButCurrentLine();
  Push(FormatError(ErrorCode::kSendQueueExceeded));
  End(EndReason::kSlow);
}

void Session::OnInternalError(std::string_view what) {
  if (ended()) return;
  log_.Error(subject_, what);
  End(EndReason::kInternalError);
}

void Session::End(EndReason reason) {
  if (ended()) return;
  end_reason_ = reason;
  request_log_.Flush();
  SecretDone();
  Unclaim();
  if (!registered_) return;
  registered_ = false;
  registry_.Leave(id_);
  if (log_.info()) {
    log_.Info(subject_,
              "LEFT " + name_ + " (" + std::string(Describe(reason)) + ")");
  }
  channel_.Queue(ipc::FrameKind::kLeft, name_);
}

}  // namespace chat::server
