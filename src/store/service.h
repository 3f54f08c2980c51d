// Service: what the store process does with each request frame (wire.h),
// against its one Database. Handlers run inside the store's open
// transaction (store_process.cc commits a batch, then sends the answers), so
// an answer a client waits on leaves only after its commit.
//
// The handlers live in files by family: service_accounts.cc (accounts,
// logins, the throttle), service_messages.cc (mailboxes, history) and
// service_audit.cc (sessions); service.cc dispatches and expires old rows.
#ifndef CHAT_STORE_SERVICE_H_
#define CHAT_STORE_SERVICE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "ipc/worker_id.h"
#include "store/database.h"
#include "store/wire.h"

namespace chat::store {

struct Limits {
  uint32_t mailbox = 100;      // messages waiting per account
  uint32_t mailbox_days = 30;  // then deleted
  uint32_t history_days = 7;   // 0 keeps none
};

// Failed logins per account (and per non-loopback address) within a minute
// before further attempts are refused.
inline constexpr int kMaxFailedLogins = 5;
inline constexpr int64_t kFailedLoginWindowMs = 60'000;

// One answer frame for a worker.
struct Answer {
  ipc::WorkerId to;
  uint32_t seq;  // the request's (wire.h)
  std::string payload;
};

class Service {
 public:
  // `registry` tells whether a recipient is on line (kQueue); `run` names
  // this server run in the audit log.
  Service(Database& db, const Limits& limits, ipc::Registry* registry,
          int64_t run);

  // Handles one frame (kStoreRequest: target = the asking worker, count =
  // its session number); appends the answers owed.
  void Handle(const ipc::FrameView& frame, std::vector<Answer>* answers);

  // Deletes one small batch of expired rows (each call its own short
  // transaction); true if more may remain.
  bool ExpireSome();

  // Closes the audit rows of earlier runs that never got their end (the
  // server was killed).
  void CloseStaleSessions();

 private:
  using Fields = std::vector<std::string_view>;
  struct Request {
    ipc::WorkerId worker;
    uint32_t session;
    uint32_t seq;
    const Fields& fields;
    std::vector<Answer>* answers;
    void Reply(Status status,
               const std::vector<std::string_view>& f = {}) const;
  };

  // kPing: the answer alone says the store is running.
  void Ping(const Request& request);

  // service_accounts.cc
  // Answers kBanned if the name in fields[0] is banned (store/bans.h).
  bool RefuseBanned(const Request& request);
  void CheckName(const Request& request);
  void Register(const Request& request);
  void GetHash(const Request& request);
  void LoginDone(const Request& request);
  void LoginFailed(const Request& request);
  void SetHash(const Request& request);
  void DeleteAccount(const Request& request);
  void Contact(const Request& request);
  void Privacy(const Request& request);
  // Seconds until another attempt is allowed, or 0 if it is now: failures
  // for the account, and from `address` too when `by_address`.
  int64_t ThrottledFor(std::string_view name_key, std::string_view address,
                       bool by_address);
  // The session's peer address without its port ("" if unknown).
  std::string SessionAddress(uint32_t session);

  // service_messages.cc
  void MailboxDone(const Request& request);
  void Queue(const Request& request);
  void History(const Request& request);
  void Record(const Request& request);
  void Keep(std::string_view from, std::string_view to, std::string_view text,
            int64_t time);

  // service_audit.cc
  void SessionOpen(const Request& request);
  void SessionName(const Request& request);
  void SessionEnd(const Request& request);

  Database& db_;
  const Limits limits_;
  ipc::Registry* registry_;
  const int64_t run_;
};

}  // namespace chat::store

#endif  // CHAT_STORE_SERVICE_H_
