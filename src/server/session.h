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
#include <vector>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "ipc/worker_id.h"
#include "protocol/line_assembler.h"
#include "protocol/request.h"
#include "server/end_reason.h"
#include "server/log.h"
#include "server/output_buffer.h"

namespace chat::server {

class Session {
 public:
  // `subject` names the connection in the log ("fd N pid P").
  Session(ipc::Registry& registry, ipc::Channel& channel, ipc::WorkerId id,
          const Log& log, std::string subject);

  // Greets the client (HELLO).
  void Start();

  // Handling of client lines pauses while this many bytes of output wait
  // (the client does not read its answers), so that pipelined requests
  // cannot make the output grow without bound. 0: never pause.
  void set_output_pause(size_t bytes) { output_pause_ = bytes; }

  // Bytes read from the client. Complete lines are handled at once, up to a
  // BCST or the output pause; the rest wait in the line assembler.
  void OnInput(std::string_view bytes);
  // Handles waiting lines if nothing holds them any more (the worker calls
  // this after writing output).
  void Resume();
  // One frame from the broker.
  void OnFrame(const ipc::FrameView& frame);

  // Events the worker detects.
  void OnJoinTimeout();        // BYE Join Timeout, if not registered
  void OnShutdown();           // SIGTERM/SIGINT: BYE Server shutting down
  void OnBrokerGone();         // the channel closed: BYE, as above
  void OnClientClosed();       // end of file or reset from the client
  void OnClientError();        // the client socket failed
  void OnSendQueueExceeded();  // ERR Send Queue Exceeded (best effort)
  void OnInternalError(std::string_view what);

  bool ended() const { return end_reason_ != EndReason::kNone; }
  EndReason end_reason() const { return end_reason_; }
  bool registered() const { return registered_; }
  const std::string& name() const { return name_; }
  // Whether requests wait for the broker's answer to an earlier one.
  bool awaiting_broker() const {
    return awaiting_ != Awaiting::kNothing || quit_waiting_ ||
           unanswered_bcsts_ >= kMaxUnansweredBcsts;
  }
  // Whether more client input may be read now: nothing holds the lines
  // already read.
  bool wants_input() const {
    return !ended() && !awaiting_broker() && !lines_waiting_ && !OutputPaused();
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
  void LogRequest(const protocol::Request& request, std::string_view line);
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
  // Answers in request order behind the oldest unanswered BCST, from
  // held_answers_[held_head_]; an empty string stands for a BCST's own
  // answer (real answers end in LF). A vector, not a deque: an empty one
  // allocates nothing, and most sessions never hold an answer.
  std::vector<std::string> held_answers_;
  size_t held_head_ = 0;
  size_t held_bytes_ = 0;
  bool quit_waiting_ = false;   // a QUIT waits for the last OK BCST
  bool lines_waiting_ = false;  // HandleLines stopped before kNeedMore
  size_t output_pause_ = 0;
  EndReason end_reason_ = EndReason::kNone;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_SESSION_H_
