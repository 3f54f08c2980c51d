// ClientPool: many non-blocking client connections on one epoll loop. It
// connects them from spread loopback source addresses, registers each through
// a Dialect (joining the broadcast channel where the dialect has one), answers
// PINGs, counts announcements and protocol errors, and hands every other line
// of a registered connection to the scenario's ClientHandler.
#ifndef CHAT_BENCH_CLIENT_POOL_H_
#define CHAT_BENCH_CLIENT_POOL_H_

#include <netinet/in.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/dialect.h"
#include "bench/line_splitter.h"
#include "bench/progress.h"
#include "bench/wire.h"

namespace chat::bench {

enum class ClientState : uint8_t {
  kConnecting,      // connect() in progress
  kRegistering,     // registration sent, waiting for OK JOIN / 001
  kJoiningChannel,  // IRC: waiting for the echo of our own JOIN
  kReady,           // registered; lines go to the handler
  kClosed,
};

struct Client {
  int fd = -1;
  ClientState state = ClientState::kClosed;
  bool join_channel = false;
  bool expect_close = false;  // the scenario sent QUIT: a close is normal
  bool queued = false;        // opened by Enqueue: counts as in flight
  bool write_armed = false;   // EPOLLOUT requested
  int role = 0;               // the scenario's tag
  int64_t number = 0;         // the scenario's counter (e.g. next sequence)
  int64_t opened_ns = 0;
  std::string name;
  LineSplitter in;
  std::string out;
  size_t out_sent = 0;
  // --tls, --ws: what `out` becomes on the socket (wire.h), sent from
  // wire_out; null for plain connections, which send `out` itself.
  std::unique_ptr<Wire> wire;
  std::string wire_out;
  size_t wire_sent = 0;
};

class ClientHandler {
 public:
  virtual ~ClientHandler() = default;
  virtual void OnReady(int id) { (void)id; }
  // Every line of a ready connection except what the pool handles itself
  // (PING, announcements, informational lines).
  virtual void OnEvent(int id, const Event& event) = 0;
  // Informational lines (LIST answers, IRC numerics), which most scenarios
  // ignore.
  virtual void OnOther(int id, const Event& event) {
    (void)id;
    (void)event;
  }
  // The connection is gone: closed by the server, failed to connect, or
  // refused at registration. Not called for Close().
  virtual void OnClosed(int id) { (void)id; }
};

struct PoolCounters {
  int64_t opened = 0;
  int64_t connect_failures = 0;
  int64_t registration_failures = 0;
  int64_t errors = 0;             // protocol errors (ERR, malformed, ...)
  int64_t unexpected_closes = 0;  // closed by the server without a QUIT
  int64_t announced_joins = 0;    // JOINED / JOIN of others
  int64_t announced_leaves = 0;   // LEFT / PART / QUIT of others
  int64_t pings = 0;
  int64_t lines_in = 0;
  int64_t bytes_in = 0;
};

struct PoolConfig {
  sockaddr_in server{};
  int sources = 32;      // loopback source addresses to spread over
  int concurrency = 64;  // Enqueue: connections between connect and ready
  WireKind wire = WireKind::kPlain;
};

class ClientPool {
 public:
  ClientPool(const Dialect& dialect, const PoolConfig& config,
             ClientHandler* handler, Progress* progress);
  ~ClientPool();
  ClientPool(const ClientPool&) = delete;
  ClientPool& operator=(const ClientPool&) = delete;

  // Empty if the pool is usable, else why not (epoll could not be made).
  const std::string& setup_error() const { return setup_error_; }

  // Starts connecting now; the new id, or -1 (counted, no OnClosed) if the
  // connection could not even be started.
  int Open(std::string name, int role, bool join_channel);
  // Opens later, keeping at most `concurrency` connections between connect
  // and ready, so a server that forks per connection is not flooded.
  void Enqueue(std::string name, int role, bool join_channel);

  Client& client(int id) { return clients_[static_cast<size_t>(id)]; }
  size_t size() const { return clients_.size(); }
  int64_t ready() const { return ready_; }
  int64_t open() const { return open_; }
  size_t waiting() const { return queue_.size() + in_flight_; }

  // Append to Out(id) (e.g. through the dialect), then Flush(id).
  std::string* Out(int id) { return &client(id).out; }
  void Flush(int id);

  // Closes now, without OnClosed.
  void Close(int id);
  void CloseAll();
  // Forgets queued connections and closes every one not ready yet: a phase
  // that ran out of time stops where it was.
  void CancelPending();

  // A protocol error the scenario found; the first few are kept as text.
  void CountError(int id, std::string_view what);

  // Runs the loop until done() holds (true) or the deadline passes (false).
  // done() is checked before each wait and after each batch of events.
  bool RunUntil(const std::function<bool()>& done, int64_t deadline_ns);

  const PoolCounters& counters() const { return counters_; }
  // Set once the server has refused a registration for a limit of its own
  // ("ERR Too Many Users", "ERR Too Many Connections": that error line
  // without its detail) or because it has no accounts ("ERR Unavailable",
  // detail included). Waiting on cannot help; RefusalAdvice says what would.
  const std::string& refusal() const { return refusal_; }
  // "the server refused users (ERR Too Many Users): start it with
  // --max-users N", N being as many users as this run wanted at once.
  std::string RefusalAdvice() const;
  const std::vector<std::string>& problems() const { return problems_; }
  const Dialect& dialect() const { return dialect_; }

 private:
  struct Pending {
    std::string name;
    int role;
    bool join_channel;
  };

  void StartQueued();
  void HandleEvent(int id, uint32_t events);
  void FinishConnect(int id);
  void ReadAll(int id);
  void DispatchLine(int id, std::string_view line);
  void MarkReady(int id);
  void Gone(int id, std::string_view why);
  void SetWriteInterest(int id, bool want);
  void Note(std::string text);

  const Dialect& dialect_;
  PoolConfig config_;
  ClientHandler* handler_;
  Progress* progress_;
  int epoll_fd_ = -1;
  std::string setup_error_;
  // A deque: handlers open connections while the pool holds references.
  std::deque<Client> clients_;
  std::deque<Pending> queue_;
  size_t in_flight_ = 0;
  int64_t ready_ = 0;
  int64_t open_ = 0;
  int dispatching_ = -1;  // id whose lines are being handed out
  PoolCounters counters_;
  std::string refusal_;
  int64_t enqueued_ = 0;   // users ever enqueued
  int64_t most_open_ = 0;  // connections open at once, at most
  std::vector<std::string> problems_;
  std::unique_ptr<char[]> scratch_;
};

}  // namespace chat::bench

#endif  // CHAT_BENCH_CLIENT_POOL_H_
