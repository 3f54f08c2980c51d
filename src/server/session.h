// Session: the protocol state machine of one client connection, without any
// I/O of its own. Bytes from the client and frames from the broker go in;
// bytes for the client (output()), frames for the broker (queued on the
// channel, not flushed) and the decision to end come out. JOIN, LIST and
// recipient lookup go straight to the shared registry.
//
// Ordering: answers leave in request order. A BCST is answered only when the
// broker reports how many users it reached, and a JOIN only when the broker
// has counted the new user in (its kJoined is answered like a broadcast), so
// that anyone who sees OK JOIN can be sure every later BCST reaches that
// user. A JOIN (and a QUIT behind unanswered broadcasts) stops further
// requests until the broker answers. Broadcasts do not: later requests are
// handled at once and their answers held behind the oldest unanswered BCST,
// so that pipelined broadcasts reach the broker together and it can hand a
// recipient several in one frame. Pushes are never held.
#ifndef CHAT_SERVER_SESSION_H_
#define CHAT_SERVER_SESSION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "ipc/worker_id.h"
#include "protocol/line_assembler.h"
#include "protocol/request.h"
#include "server/end_reason.h"
#include "server/file_side.h"
#include "server/log.h"
#include "server/output_buffer.h"
#include "server/password.h"
#include "server/request_log.h"
#include "server/token_bucket.h"

namespace chat::server {

class Session {
 public:
  // `subject` names the connection in the log ("fd N pid P").
  Session(ipc::Registry& registry, ipc::Channel& channel, ipc::WorkerId id,
          const Log& log, std::string subject);

  // Greets the client (HELLO).
  void Start();

  // Version 2's stored features (session_accounts.cc, session_history.cc)
  // need a database (`store`: the server has a store process) and passwords
  // the server-wide hash slots.
  // The per-address cap on registered names that applies to this client
  // (none unless its address is subject to the limits).
  void set_join_limit(ipc::JoinLimit limit) { join_limit_ = limit; }
  void set_store(bool store, HashSlots* hash_slots) {
    store_ = store;
    hash_slots_ = hash_slots;
  }
  // While true, pushes from the broker go through OnFrame (not straight to
  // the client): a LOGIN is writing its queued messages first.
  bool holding_pushes() const { return holding_pushes_; }

  // Handling of client lines pauses while this many bytes of output wait
  // (the client does not read its answers), so that pipelined requests
  // cannot make the output grow without bound. 0: never pause.
  void set_output_pause(size_t bytes) { output_pause_ = bytes; }
  // FILE OFFER of more bytes than this: File Too Large (--max-file-size).
  void set_max_file_size(uint64_t bytes) { max_file_size_ = bytes; }
  // Moves chunks of incoming files into the output while it is nearly
  // empty (file_side.h); the worker calls it whenever it can write.
  void FeedFiles();

  // Flood control (flood.h): lines are handled only while `flood` has a
  // line's worth of budget; null (the default): no limit. The worker owns
  // the bucket and wakes the session when the budget is back.
  // Flood control's budgets (flood.h): lines, and bytes of file data; both
  // or neither.
  void set_flood(TokenBucket* lines, TokenBucket* file_bytes) {
    flood_ = lines;
    file_flood_ = file_bytes;
  }
  // Whether lines wait for the flood budget (and input is not read).
  bool throttled() const { return throttled_; }

  // Bytes read from the client. Complete lines are handled at once, up to a
  // BCST or the output pause; the rest wait in the line assembler.
  void OnInput(std::string_view bytes);
  // Handles waiting lines if nothing holds them any more (the worker calls
  // this after writing output).
  void Resume();
  // One frame from the broker.
  void OnFrame(const ipc::FrameView& frame);

  // Events the worker detects.
  void OnJoinTimeout();   // BYE Join Timeout, if not registered
  void OnShutdown();      // SIGTERM/SIGINT: BYE Server shutting down
  void OnBrokerGone();    // the channel closed: BYE, as above
  void OnClientClosed();  // end of file or reset from the client
  // The client sent end of file (it may have only half-closed): no more
  // input comes, but every complete line already read is still handled and
  // answered. Once InputDone(), the worker ends the session.
  void OnClientEof() { client_eof_ = true; }
  bool InputDone() const {
    return client_eof_ && !ended() && !lines_waiting_ && !awaiting_broker() &&
           unanswered_bcsts_ == 0 && !HoldingAnswers();
  }
  void OnClientError();        // the client socket failed
  void OnSendQueueExceeded();  // ERR Send Queue Exceeded (best effort)
  void OnInternalError(std::string_view what);

  bool ended() const { return end_reason_ != EndReason::kNone; }
  EndReason end_reason() const { return end_reason_; }
  bool registered() const { return registered_; }
  // Whether a line handled since the last call held a password: the worker
  // then wipes the bytes it read the line into.
  bool TakeSecretSeen() { return std::exchange(secret_seen_, false); }
  const std::string& name() const { return name_; }
  // Whether requests wait for the broker's answer to an earlier one.
  bool awaiting_broker() const {
    return awaiting_ != Awaiting::kNothing || quit_waiting_ ||
           history_waiting_ || unanswered_bcsts_ >= kMaxUnansweredBcsts ||
           store_wait_ != StoreWait::kNothing;
  }
  // Whether more client input may be read now: nothing holds the lines
  // already read.
  bool wants_input() const {
    return !ended() && !client_eof_ && !awaiting_broker() && !lines_waiting_ &&
           !OutputPaused();
  }

  OutputBuffer& output() { return output_; }

 private:
  // Handles buffered lines until none is complete, a BCST awaits its
  // answer, the output is paused, or the session ended.
  void HandleLines();
  // Answers held behind a BCST count too: they are output, only later.
  bool OutputPaused() const {
    return output_pause_ != 0 && output_.size() + held_bytes_ >= output_pause_;
  }
  void HandleLine(std::string_view line);
  void HandleRequest(const protocol::Request& request, std::string_view line);
  void Join(std::string_view name);
  void Mesg(std::string_view to, std::string_view text);
  void DeliverMesg(const ipc::RegisteredUser& recipient, std::string_view text);
  // Rooms and private-message requests, answered by the broker
  // (session_rooms.cc): which requests they are, and their handling.
  static bool IsRoomsRequest(const protocol::Request& request);
  void RoomsRequest(const protocol::Request& request, std::string_view line);
  // A MESG to a user whose privacy setting is "ask": the broker decides.
  void MesgAsk(const ipc::RegisteredUser& recipient, std::string_view text);
  // Reserves the answer's place in order; the broker's kAnswer fills it.
  void AwaitBrokerAnswer();
  void OnBrokerAnswer(std::string_view line);
  void Bcst(std::string_view text);
  // An answer to a request: behind any unanswered BCST.
  void Reply(std::string_view line);
  // Anything else for the client (pushes, BYE): never held.
  void Push(std::string_view line) { output_.Append(line); }
  void Quit();
  // The broker's answer to the oldest unanswered BCST (or other request it
  // answers): `answer`, then the answers held behind it up to the next
  // unanswered one.
  void AnswerOldest(std::string_view answer);
  bool HoldingAnswers() const { return held_head_ < held_answers_.size(); }
  // Drops the oldest held answer (already output).
  void PopHeldAnswer();
  void RefuseUnregistered();
  // File transfer (session_files.cc).
  void FileRequest(const protocol::Request& request);
  void OnFileFrame(const ipc::FrameView& frame);
  // JOIN's answer once the name is known to be free of accounts.
  void FinishJoin();

  // --- Accounts (session_accounts.cc) ---
  enum class StoreWait {
    kNothing,
    kJoinCheck,       // JOIN: is the name an account's?
    kRegister,        // REGISTER: the account row
    kLoginHash,       // LOGIN: the account's hash
    kLoginMove,       // LOGIN: the older session of the account is ending
    kLoginMailbox,    // LOGIN: recorded; the mailbox comes
    kPasswordHash,    // PASSWORD: the current hash
    kPasswordSet,     // PASSWORD: the new hash stored
    kUnregisterHash,  // UNREGISTER: the current hash
    kUnregisterDone,  // UNREGISTER: deleted
    kQueue,           // MESG to someone away: stored?
    kHistory,         // HISTORY: the lines
  };
  void Register(const protocol::Request& request);
  void Login(const protocol::Request& request);
  void ChangePassword(const protocol::Request& request);
  void Unregister(const protocol::Request& request);
  // A MESG whose recipient is not on line: queued if it has an account.
  void Queue(std::string_view to, std::string_view text);
  void OnStoreReply(const ipc::FrameView& frame);
  void OnStoreGone();
  void OnMoveDone();
  void Ask(StoreWait wait, uint8_t op, const std::vector<std::string_view>& f);
  // kGetHash for `name`, saying whether failed logins also count against
  // the client's address: where the per-address limits apply to it (it has
  // a join limit), not where they exempt it.
  void AskHash(StoreWait wait, std::string_view name);
  void Tell(uint8_t op, const std::vector<std::string_view>& fields);
  void StoreAnswered(uint8_t status, std::vector<std::string_view> fields);
  void LoginVerify(uint8_t status, const std::vector<std::string_view>& f);
  void LoginClaim();
  // After OK LOGIN: the account's stored privacy setting and accepted
  // chats take effect (session_rooms.cc).
  void RestoreConsent();
  void LoginFinish(uint8_t status, const std::vector<std::string_view>& fields);
  void SecretDone();
  bool RefuseWithoutStore(std::string_view what);
  // A name claimed in the registry but not yet announced is given back.
  void Unclaim();
  // ERR Banned to `verb` (JOIN, REGISTER, LOGIN) of pending_name_.
  void RefuseBanned(std::string_view verb);
  // --- History (session_history.cc) ---
  void History(const protocol::Request& request);
  // The HISTORY saved in history_*_, once the answers before it are in.
  void HistoryNow();
  // Keeps rooms_in_ in step with this user's OK JOIN / OK PART of rooms.
  void NoteRoomAnswer(std::string_view line);
  void HistoryAnswered(uint8_t status);
  void LogRequest(const protocol::Request& request, std::string_view line);
  // Flood control's charge for an answer of `bytes` (flood.h).
  void ChargeAnswer(size_t bytes);
  // The user for the log: its name, or "(unregistered)".
  std::string Who() const;
  // Ends the session: leaves the registry (announcing LEFT through the
  // broker) if registered. Answers owed are already in output().
  void End(EndReason reason);

  ipc::Registry& registry_;
  ipc::Channel& channel_;
  const ipc::WorkerId id_;
  const Log& log_;
  const std::string subject_;
  // Per-request log lines, held to a rate (request_log.h).
  RequestLog request_log_{log_, subject_};
  TokenBucket* flood_ = nullptr;
  TokenBucket* file_flood_ = nullptr;
  bool throttled_ = false;

  protocol::LineAssembler assembler_;
  OutputBuffer output_;
  bool registered_ = false;
  std::string name_;  // as registered; kept after leaving, for the log
  // A JOIN whose answer waits for the broker's kBroadcastDone.
  enum class Awaiting { kNothing, kJoin };
  Awaiting awaiting_ = Awaiting::kNothing;
  // Bounds the answers held (and the broadcasts in flight) per connection.
  // Counts every request the broker answers (BCST, rooms, requests).
  static constexpr size_t kMaxUnansweredBcsts = 64;
  size_t unanswered_bcsts_ = 0;
  bool client_eof_ = false;  // OnClientEof
  ipc::JoinLimit join_limit_;
  // A JOIN, REGISTER or LOGIN of `name` refused for lack of room (kFull,
  // or kAddressFull: "Too Many Users: from your address"): answered, and
  // the session ends.
  void RefuseFull(std::string_view verb, std::string_view name,
                  ipc::JoinResult result);
  // Answers in request order behind the oldest unanswered BCST, from
  // held_answers_[held_head_]; an empty string stands for a BCST's own
  // answer (real answers end in LF). A vector, not a deque: an empty one
  // allocates nothing, and most sessions never hold an answer.
  std::vector<std::string> held_answers_;
  size_t held_head_ = 0;
  size_t held_bytes_ = 0;
  bool quit_waiting_ = false;  // a QUIT waits for the last OK BCST
  // A HISTORY of a room waits for the answers before it (a pipelined JOIN
  // of that room, say), since membership is known only from them.
  bool history_waiting_ = false;
  std::string history_target_;
  uint32_t history_count_ = 0;
  uint64_t history_before_ = 0;
  std::vector<std::string> rooms_in_;  // lower-cased, from OK JOIN/OK PART
  bool lines_waiting_ = false;         // HandleLines stopped before kNeedMore
  bool secret_seen_ = false;           // see TakeSecretSeen
  size_t output_pause_ = 0;
  EndReason end_reason_ = EndReason::kNone;
  protocol::Verb current_verb_ = protocol::Verb::kPing;  // for the log

  // Version 2 state (see the accounts section above).
  bool store_ = false;
  HashSlots* hash_slots_ = nullptr;
  bool account_ = false;  // logged in to (or registered) an account
  bool claimed_ = false;  // the registry holds pending_name_, unannounced
  StoreWait store_wait_ = StoreWait::kNothing;
  uint32_t store_seq_ = 0;  // of the request awaited
  enum class Joining { kNo, kJoin, kRegister, kLogin };
  Joining joining_ = Joining::kNo;  // what OK the broker's count completes
  bool broker_counted_ = false;     // a LOGIN's kJoined was answered
  int move_tries_ = 0;
  int queue_tries_ = 0;
  std::string pending_name_;
  std::string pending_text_;        // a queued MESG's text
  std::string secret_;              // a password while its request runs
  std::string new_secret_;          // PASSWORD's new one
  std::string rehash_;              // a better hash of a good login's password
  std::vector<std::string> parts_;  // fields of kMore answers so far
  bool holding_pushes_ = false;
  std::string held_pushes_;
  std::string mailbox_last_;   // the last OFFLINE id written, to confirm
  std::string saved_privacy_;  // a LOGIN's stored setting ("" if none)
  std::vector<std::string> saved_contacts_;  // ...and accepted chats
  FileSide files_;
  uint64_t max_file_size_ = protocol::kDefaultMaxFileSize;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_SESSION_H_
