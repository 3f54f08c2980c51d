// Session: REGISTER, LOGIN, PASSWORD, UNREGISTER, the Name Reserved check
// of JOIN and the offline queueing of MESG: every request that needs the
// store. Each asks the store one thing at a time (Ask) and goes on when the
// answer comes (StoreAnswered); requests behind it wait, so answers keep
// their order.
//
// Passwords are hashed and checked here, in the worker, never sent anywhere
// in clear, never logged, and wiped once their request is done.
//
// Why JOIN claims the registry before asking the store: an account is only
// ever created by a connection that holds the name in the registry
// (REGISTER claims it first too). So once we hold the name, no account of
// that name can appear; checking after claiming leaves no window in which a
// JOIN could take the name of an account being registered.
#include <sodium.h>

#include "protocol/reply.h"
#include "server/session.h"
#include "store/database.h"
#include "store/wire.h"

namespace chat::server {

using protocol::ErrorCode;
using protocol::FormatError;
using store::Op;
using store::Status;

namespace {

constexpr std::string_view kNoDatabase =
    "this server runs without a database (--ephemeral)";
constexpr std::string_view kStoreFailed = "the database failed; try again";
constexpr std::string_view kStoreRestarted =
    "the database restarted; try again";
constexpr std::string_view kNameReservedDetail =
    "log in with LOGIN <username> <password>";
// A LOGIN waits for the older session of its account to end at most this
// many times (someone else may log in meanwhile).
constexpr int kMaxMoveTries = 3;
// A MESG whose recipient came and went while it was being queued is tried
// this many times.
constexpr int kMaxQueueTries = 3;

// Checked against for unknown names, so that a failed LOGIN takes as long
// whether the name exists or not. (An Argon2id hash of a random password
// with today's costs.)
constexpr char kDummyHash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$"
    "iJDat5+pGe3995jN6WdOfg$"
    "ESIjARQGPzgvbbNhL2HlhYITFPKpJU2o4yix8g7kF6o";

uint8_t Code(Op op) { return static_cast<uint8_t>(op); }

}  // namespace

bool Session::RefuseWithoutStore(std::string_view what) {
  if (store_) return false;
  log_.Info(subject_, std::string(what) + " refused: Unavailable");
  Reply(FormatError(ErrorCode::kUnavailable, kNoDatabase));
  SecretDone();
  return true;
}

void Session::Ask(StoreWait wait, uint8_t op,
                  const std::vector<std::string_view>& fields) {
  store_wait_ = wait;
  ++store_seq_;
  if (store_seq_ == 0) store_seq_ = 1;  // 0 is for requests without answer
  parts_.clear();
  channel_.Queue(ipc::FrameKind::kStoreRequest,
                 store::EncodeRequest(store_seq_, static_cast<Op>(op), fields));
}

void Session::Tell(uint8_t op, const std::vector<std::string_view>& fields) {
  channel_.Queue(ipc::FrameKind::kStoreRequest,
                 store::EncodeRequest(0, static_cast<Op>(op), fields));
}

void Session::SecretDone() {
  Wipe(&secret_);
  Wipe(&new_secret_);
}

void Session::RefuseBanned(std::string_view verb) {
  log_.Info(subject_,
            std::string(verb) + " " + pending_name_ + " refused: Banned");
  Reply(FormatError(ErrorCode::kBanned));
}

void Session::Unclaim() {
  if (!claimed_) return;
  claimed_ = false;
  registry_.Leave(id_);
  if (account_ && !registered_) {
    account_ = false;
    channel_.Queue(ipc::FrameKind::kAccount, {}, {}, 0);
  }
}

void Session::OnStoreReply(const ipc::FrameView& frame) {
  // An answer to a request given up on (the store restarted) is dropped.
  if (store_wait_ == StoreWait::kNothing || frame.count != store_seq_) return;
  auto decoded = store::Decode(frame.payload);
  if (!decoded) return OnInternalError("malformed answer from the store");
  if (decoded->head == static_cast<uint8_t>(Status::kMore)) {
    for (auto field : decoded->fields) parts_.emplace_back(field);
    return;
  }
  StoreAnswered(decoded->head, decoded->fields);
}

void Session::OnStoreGone() {
  if (store_wait_ == StoreWait::kNothing) return;
  StoreAnswered(static_cast<uint8_t>(Status::kGone), {});
}

void Session::OnMoveDone() {
  if (store_wait_ != StoreWait::kLoginMove) return;
  store_wait_ = StoreWait::kNothing;
  LoginClaim();
}

void Session::StoreAnswered(uint8_t status_byte,
                            std::vector<std::string_view> fields) {
  const auto status = static_cast<Status>(status_byte);
  const StoreWait wait = store_wait_;
  store_wait_ = StoreWait::kNothing;
  const bool failed = status == Status::kFailed || status == Status::kGone;
  const std::string_view why =
      status == Status::kGone ? kStoreRestarted : kStoreFailed;
  auto unavailable = [&] {
    Reply(FormatError(ErrorCode::kUnavailable, why));
    SecretDone();
  };
  switch (wait) {
    case StoreWait::kNothing:
    case StoreWait::kLoginMove:
      return;
    case StoreWait::kJoinCheck:
      if (status == Status::kNotFound) return FinishJoin();
      Unclaim();
      joining_ = Joining::kNo;
      if (status == Status::kBanned) return RefuseBanned("JOIN");
      if (status == Status::kOk) {
        log_.Info(subject_,
                  "JOIN " + pending_name_ + " refused: Name Reserved");
        Reply(FormatError(ErrorCode::kNameReserved, kNameReservedDetail));
      } else {
        unavailable();
      }
      return;
    case StoreWait::kRegister:
      if (status != Status::kOk) {
        Unclaim();
        joining_ = Joining::kNo;
        if (status == Status::kBanned) return RefuseBanned("REGISTER");
        if (status == Status::kTaken) {
          log_.Info(subject_,
                    "REGISTER " + pending_name_ + " refused: Username Taken");
          Reply(FormatError(ErrorCode::kUsernameTaken, pending_name_));
        } else {
          unavailable();
        }
        return;
      }
      log_.Info(subject_, "REGISTER " + pending_name_ + " accepted");
      account_ = true;
      channel_.Queue(ipc::FrameKind::kAccount, {}, {}, 1);
      if (registered_) {  // after JOIN: the name became an account
        Tell(Code(Op::kSessionName), {name_, "1"});
        Reply(protocol::FormatOkRegister(name_));
      } else {
        name_ = pending_name_;
        joining_ = Joining::kRegister;
        FinishJoin();
      }
      return;
    case StoreWait::kLoginHash:
      return LoginVerify(status_byte, fields);
    case StoreWait::kLoginMailbox:
      return LoginFinish(status_byte, fields);
    case StoreWait::kPasswordHash:
    case StoreWait::kUnregisterHash: {
      const bool changing = wait == StoreWait::kPasswordHash;
      if (status == Status::kThrottled) {
        Reply(FormatError(ErrorCode::kTooManyAttempts, fields[0]));
        SecretDone();
        return;
      }
      if (status == Status::kNotFound) {  // deleted by chat-admin meanwhile
        account_ = false;
        channel_.Queue(ipc::FrameKind::kAccount, {}, {}, 0);
        Reply(FormatError(ErrorCode::kNoAccount));
        SecretDone();
        return;
      }
      if (status != Status::kOk) return unavailable();
      if (!VerifyPassword(fields[1], secret_, hash_slots_)) {
        log_.Info(subject_, std::string(changing ? "PASSWORD" : "UNREGISTER") +
                                " by " + name_ + " refused: Login Failed");
        Tell(Code(Op::kLoginFailed), {name_});
        Reply(FormatError(ErrorCode::kLoginFailed));
        SecretDone();
        return;
      }
      if (!changing) {
        SecretDone();
        Ask(StoreWait::kUnregisterDone, Code(Op::kDeleteAccount), {name_});
        return;
      }
      std::string hash = HashPassword(new_secret_, hash_slots_);
      SecretDone();
      if (hash.empty()) return unavailable();
      Ask(StoreWait::kPasswordSet, Code(Op::kSetHash), {name_, hash});
      return;
    }
    case StoreWait::kPasswordSet:
      if (status != Status::kOk) return unavailable();
      log_.Info(subject_, "PASSWORD of " + name_ + " changed");
      Reply(protocol::FormatOkPassword());
      return;
    case StoreWait::kUnregisterDone:
      if (status != Status::kOk) return unavailable();
      log_.Info(subject_, "UNREGISTER " + name_ + ": account deleted");
      account_ = false;
      channel_.Queue(ipc::FrameKind::kAccount, {}, {}, 0);
      Tell(Code(Op::kSessionName), {name_, "0"});
      Reply(protocol::FormatOkUnregister(name_));
      return;
    case StoreWait::kQueue:
      if (failed) return unavailable();
      switch (status) {
        case Status::kOk:
          log_.Info(subject_, "MESG by " + name_ + " queued for " +
                                  std::string(fields[0]));
          Reply(protocol::FormatOkMesgQueued(fields[0]));
          break;
        case Status::kFull:
          log_.Info(subject_, "MESG by " + name_ + " refused: Mailbox Full " +
                                  std::string(fields[0]));
          Reply(FormatError(ErrorCode::kMailboxFull, fields[0]));
          break;
        case Status::kOnline:
          if (auto recipient = registry_.Lookup(pending_name_)) {
            DeliverMesg(*recipient, pending_text_);
            break;
          }
          if (++queue_tries_ < kMaxQueueTries) {
            Ask(StoreWait::kQueue, Code(Op::kQueue),
                {pending_name_, name_, pending_text_});
            return;
          }
          [[fallthrough]];
        default:
          log_.Info(subject_, "MESG by " + name_ +
                                  " refused: Unknown Recipient " +
                                  pending_name_);
          Reply(FormatError(ErrorCode::kUnknownRecipient, pending_name_));
      }
      std::string().swap(pending_text_);
      return;
    case StoreWait::kHistory:
      return HistoryAnswered(status_byte);
  }
}

void Session::Queue(std::string_view to, std::string_view text) {
  pending_name_ = to;
  pending_text_ = text;
  queue_tries_ = 0;
  Ask(StoreWait::kQueue, Code(Op::kQueue), {to, name_, text});
}

void Session::Register(const protocol::Request& request) {
  request_log_.Info("request REGISTER by " + Who());
  if (RefuseWithoutStore("REGISTER")) return;
  if (account_ ||
      (registered_ && store::Key(request.name) != store::Key(name_))) {
    log_.Info(subject_, "REGISTER refused: Already Registered as " + name_);
    Reply(FormatError(ErrorCode::kAlreadyRegistered, name_));
    return;
  }
  if (!registered_) {
    const ipc::JoinResult result =
        registry_.Join(request.name, id_, join_limit_);
    switch (result) {
      case ipc::JoinResult::kJoined:
        claimed_ = true;
        break;
      case ipc::JoinResult::kTaken:
      case ipc::JoinResult::kInvalid:  // parsed already: not reached
        log_.Info(subject_, "REGISTER " + std::string(request.name) +
                                " refused: Username Taken");
        Reply(FormatError(ErrorCode::kUsernameTaken, request.name));
        return;
      case ipc::JoinResult::kFull:
      case ipc::JoinResult::kAddressFull:
        return RefuseFull("REGISTER", request.name, result);
    }
  }
  pending_name_ = registered_ ? name_ : std::string(request.name);
  std::string hash = HashPassword(request.password, hash_slots_);
  if (hash.empty()) {
    Unclaim();
    Reply(FormatError(ErrorCode::kUnavailable, "cannot hash the password"));
    return;
  }
  Ask(StoreWait::kRegister, Code(Op::kRegister), {pending_name_, hash});
}

void Session::AskHash(StoreWait wait, std::string_view name) {
  Ask(wait, Code(Op::kGetHash), {name, join_limit_.max != 0 ? "1" : "0"});
}

void Session::Login(const protocol::Request& request) {
  request_log_.Info("request LOGIN by " + Who() + ": " +
                    std::string(request.name));
  if (registered_) {
    log_.Info(subject_, "LOGIN refused: Already Registered as " + name_);
    Reply(FormatError(ErrorCode::kAlreadyRegistered, name_));
    return;
  }
  if (RefuseWithoutStore("LOGIN")) return;
  pending_name_ = request.name;
  secret_.assign(request.password);
  AskHash(StoreWait::kLoginHash, request.name);
}

void Session::LoginVerify(uint8_t status_byte,
                          const std::vector<std::string_view>& fields) {
  const auto status = static_cast<Status>(status_byte);
  if (status == Status::kBanned) {
    SecretDone();
    return RefuseBanned("LOGIN");
  }
  if (status == Status::kThrottled) {
    log_.Info(subject_,
              "LOGIN " + pending_name_ + " refused: Too Many Attempts");
    Reply(FormatError(ErrorCode::kTooManyAttempts, fields[0]));
    SecretDone();
    return;
  }
  if (status != Status::kOk && status != Status::kNotFound) {
    Reply(FormatError(ErrorCode::kUnavailable, status == Status::kGone
                                                   ? kStoreRestarted
                                                   : kStoreFailed));
    SecretDone();
    return;
  }
  // The same work whether the name exists or not.
  const bool found = status == Status::kOk;
  const bool good =
      VerifyPassword(found ? fields[1] : kDummyHash, secret_, hash_slots_) &&
      found;
  if (!good) {
    SecretDone();
    log_.Info(subject_, "LOGIN " + pending_name_ + " refused: Login Failed");
    Tell(Code(Op::kLoginFailed), {pending_name_});
    Reply(FormatError(ErrorCode::kLoginFailed));
    return;
  }
  rehash_ = NeedsRehash(fields[1]) ? HashPassword(secret_, hash_slots_) : "";
  SecretDone();
  pending_name_ = fields[0];  // as the account spells it
  move_tries_ = 0;
  LoginClaim();
}

void Session::LoginClaim() {
  const ipc::JoinResult result =
      registry_.Join(pending_name_, id_, join_limit_);
  switch (result) {
    case ipc::JoinResult::kJoined:
      claimed_ = true;
      account_ = true;
      // From now on messages may arrive; they wait behind OK LOGIN and the
      // queued ones.
      holding_pushes_ = true;
      channel_.Queue(ipc::FrameKind::kAccount, {}, {}, 1);
      Ask(StoreWait::kLoginMailbox, Code(Op::kLoginDone),
          {pending_name_, rehash_});
      rehash_.clear();
      return;
    case ipc::JoinResult::kTaken:
      // Logged in elsewhere: that session ends first (login_move.h).
      if (++move_tries_ <= kMaxMoveTries) {
        if (auto holder = registry_.Lookup(pending_name_)) {
          store_wait_ = StoreWait::kLoginMove;
          channel_.Queue(ipc::FrameKind::kMoveLogin, {}, holder->worker);
          return;
        }
        return LoginClaim();  // it left meanwhile
      }
      log_.Info(subject_,
                "LOGIN " + pending_name_ + " refused: Username Taken");
      Reply(FormatError(ErrorCode::kUsernameTaken, pending_name_));
      return;
    case ipc::JoinResult::kFull:
    case ipc::JoinResult::kAddressFull:
    case ipc::JoinResult::kInvalid:
      return RefuseFull("LOGIN", pending_name_, result);
  }
}

void Session::LoginFinish(uint8_t status_byte,
                          const std::vector<std::string_view>& fields) {
  const auto status = static_cast<Status>(status_byte);
  if (status != Status::kOk) {
    // Messages sent to the half-logged-in name meanwhile are lost with it;
    // their senders were told OK MESG, as for a user who left.
    holding_pushes_ = false;
    std::string().swap(held_pushes_);
    Unclaim();
    Reply(FormatError(ErrorCode::kUnavailable, status == Status::kGone
                                                   ? kStoreRestarted
                                                   : kStoreFailed));
    return;
  }
  // OFFLINE lines first, then whatever arrived live meanwhile.
  std::string offline;
  for (size_t i = 0; i + 3 < parts_.size(); i += 4) {
    offline += protocol::FormatOffline(parts_[i], parts_[i + 1], parts_[i + 2],
                                       parts_[i + 3]);
    mailbox_last_ = parts_[i];
  }
  parts_.clear();
  held_pushes_.insert(0, offline);
  // The account's privacy setting and accepted chats, restored once the
  // broker counts the user in (session_rooms.cc).
  if (!fields.empty()) {
    saved_privacy_ = fields[0];
    saved_contacts_.assign(fields.begin() + 1, fields.end());
  }
  name_ = pending_name_;
  joining_ = Joining::kLogin;
  log_.Info(subject_, "LOGIN " + name_ + " accepted");
  FinishJoin();
}

void Session::ChangePassword(const protocol::Request& request) {
  request_log_.Info("request PASSWORD by " + name_);
  if (RefuseWithoutStore("PASSWORD")) return;
  if (!account_) {
    Reply(FormatError(ErrorCode::kNoAccount));
    return;
  }
  secret_.assign(request.password);
  new_secret_.assign(request.new_password);
  AskHash(StoreWait::kPasswordHash, name_);
}

void Session::Unregister(const protocol::Request& request) {
  request_log_.Info("request UNREGISTER by " + name_);
  if (RefuseWithoutStore("UNREGISTER")) return;
  if (!account_) {
    Reply(FormatError(ErrorCode::kNoAccount));
    return;
  }
  secret_.assign(request.password);
  AskHash(StoreWait::kUnregisterHash, name_);
}

}  // namespace chat::server
