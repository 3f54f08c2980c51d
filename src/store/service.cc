// Service: the dispatch table and the expiry of old rows.
#include "store/service.h"

namespace chat::store {
namespace {

// Rows deleted per expiry transaction: small, so a request never waits long
// behind one.
constexpr int kExpireBatch = 500;
constexpr int64_t kDayMs = 24 * 3600 * 1000;
// Failed logins are kept this long for the throttle and the audit log.
constexpr int64_t kFailureKeepMs = 30 * kDayMs;

}  // namespace

Service::Service(Database& db, const Limits& limits, ipc::Registry* registry,
                 int64_t run)
    : db_(db), limits_(limits), registry_(registry), run_(run) {}

void Service::Request::Reply(Status status,
                             const std::vector<std::string_view>& f) const {
  answers->push_back(
      Answer{worker, seq, Encode(static_cast<uint8_t>(status), f)});
}

void Service::Handle(const ipc::FrameView& frame,
                     std::vector<Answer>* answers) {
  auto request_bytes = DecodeRequest(frame.payload);
  // Our own processes send only well-formed requests; a malformed one
  // cannot even be answered (no sequence number), so it is dropped.
  if (!request_bytes) return;
  const Decoded* decoded = &request_bytes->second;
  using Handler = void (Service::*)(const Request&);
  struct Entry {
    Op op;
    size_t fields;
    Handler handler;
  };
  static constexpr Entry kTable[] = {
      {Op::kCheckName, 1, &Service::CheckName},
      {Op::kRegister, 2, &Service::Register},
      {Op::kGetHash, 2, &Service::GetHash},
      {Op::kLoginDone, 2, &Service::LoginDone},
      {Op::kLoginFailed, 1, &Service::LoginFailed},
      {Op::kSetHash, 2, &Service::SetHash},
      {Op::kDeleteAccount, 1, &Service::DeleteAccount},
      {Op::kMailboxDone, 2, &Service::MailboxDone},
      {Op::kQueue, 3, &Service::Queue},
      {Op::kHistory, 5, &Service::History},
      {Op::kRecord, 3, &Service::Record},
      {Op::kSessionOpen, 2, &Service::SessionOpen},
      {Op::kSessionName, 2, &Service::SessionName},
      {Op::kSessionEnd, 1, &Service::SessionEnd},
      {Op::kContact, 3, &Service::Contact},
      {Op::kPrivacy, 2, &Service::Privacy},
      {Op::kPing, 0, &Service::Ping},
  };
  Request request{frame.target, frame.count, request_bytes->first,
                  decoded->fields, answers};
  for (const Entry& entry : kTable) {
    if (static_cast<uint8_t>(entry.op) != decoded->head) continue;
    if (decoded->fields.size() != entry.fields) break;
    (this->*entry.handler)(request);
    return;
  }
  // A request of a shape no handler takes is a bug in our own processes;
  // the asker gets a failure rather than waiting for ever.
  request.Reply(Status::kFailed);
}

void Service::Ping(const Request& request) { request.Reply(Status::kOk); }

bool Service::ExpireSome() {
  const int64_t now = NowMs();
  bool more = false;
  auto expire = [&](std::string_view table, int64_t before) {
    Statement statement = db_.Prepare(
        "DELETE FROM " + std::string(table) + " WHERE id IN (SELECT id FROM " +
        std::string(table) + " WHERE time < ?1 LIMIT ?2)");
    statement.Bind(1, before).Bind(2, int64_t{kExpireBatch});
    if (statement.Run() && db_.changes() >= kExpireBatch) more = true;
  };
  if (!db_.Exec("BEGIN IMMEDIATE")) return false;
  expire("mailbox", now - int64_t{limits_.mailbox_days} * kDayMs);
  expire("messages", now - int64_t{limits_.history_days} * kDayMs);
  expire("login_failures", now - kFailureKeepMs);
  if (!db_.Exec("COMMIT")) {
    db_.Exec("ROLLBACK");
    return false;
  }
  return more;
}

void Service::CloseStaleSessions() {
  db_.Prepare(
         "UPDATE sessions SET how = 'unknown: the server stopped' "
         "WHERE ended IS NULL AND run != ?1")
      .Bind(1, run_)
      .Run();
}

}  // namespace chat::store
