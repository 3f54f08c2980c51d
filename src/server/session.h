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
// user. The session takes no further request meanwhile (awaiting_broker());
// pushes keep flowing.
#ifndef CHAT_SERVER_SESSION_H_
#define CHAT_SERVER_SESSION_H_

#include <string>
#include <string_view>

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
  bool awaiting_broker() const { return awaiting_ != Awaiting::kNothing; }
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
  bool OutputPaused() const {
    return output_pause_ != 0 && output_.size() >= output_pause_;
  }
  void HandleLine(std::string_view line);
  void HandleRequest(const protocol::Request& request, std::string_view line);
  void Join(std::string_view name);
  void Mesg(std::string_view to, std::string_view text);
  void Bcst(std::string_view text);
  void Reply(std::string_view line) { output_.Append(line); }
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
  // The request whose answer waits for the broker's kBroadcastDone.
  enum class Awaiting { kNothing, kJoin, kBcst };
  Awaiting awaiting_ = Awaiting::kNothing;
  bool lines_waiting_ = false;  // HandleLines stopped before kNeedMore
  size_t output_pause_ = 0;
  EndReason end_reason_ = EndReason::kNone;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_SESSION_H_
