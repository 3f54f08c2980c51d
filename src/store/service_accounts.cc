// Service: accounts, logins and the failed-login throttle.
#include <string>

#include "store/accounts_sql.h"
#include "store/bans.h"
#include "store/service.h"

namespace chat::store {

bool Service::RefuseBanned(const Request& request) {
  if (!NameBanned(db_, Key(request.fields[0]), NowMs())) return false;
  request.Reply(Status::kBanned);
  return true;
}

void Service::CheckName(const Request& request) {
  if (RefuseBanned(request)) return;
  Statement statement =
      db_.Prepare("SELECT name FROM accounts WHERE name_key = ?1");
  statement.Bind(1, Key(request.fields[0]));
  if (statement.Step()) {
    std::string name = statement.Text(0);
    request.Reply(Status::kOk, {name});
  } else {
    request.Reply(statement.ok() ? Status::kNotFound : Status::kFailed);
  }
}

void Service::Register(const Request& request) {
  if (RefuseBanned(request)) return;
  Statement statement = db_.Prepare(
      "INSERT OR IGNORE INTO accounts (name, name_key, hash, created, "
      "last_login) VALUES (?1, ?2, ?3, ?4, ?4)");
  statement.Bind(1, request.fields[0])
      .Bind(2, Key(request.fields[0]))
      .Bind(3, request.fields[1])
      .Bind(4, NowMs());
  if (!statement.Run()) return request.Reply(Status::kFailed);
  request.Reply(db_.changes() == 1 ? Status::kOk : Status::kTaken);
}

std::string Service::SessionAddress(uint32_t session) {
  Statement statement =
      db_.Prepare("SELECT peer FROM sessions WHERE run = ?1 AND number = ?2");
  statement.Bind(1, run_).Bind(2, int64_t{session});
  if (!statement.Step()) return {};
  std::string peer = statement.Text(0);
  // "1.2.3.4:5678" or "[::1]:5678": the address is before the last colon.
  size_t colon = peer.rfind(':');
  if (colon == std::string::npos) return peer;
  peer.resize(colon);
  if (peer.size() >= 2 && peer.front() == '[' && peer.back() == ']') {
    peer = peer.substr(1, peer.size() - 2);
  }
  return peer;
}

int64_t Service::ThrottledFor(std::string_view name_key,
                              std::string_view address, bool by_address) {
  const int64_t now = NowMs();
  int64_t wait_ms = 0;
  // The 5th newest failure within the window: until it is a minute old,
  // one more attempt would be the 6th within a minute.
  auto check = [&](std::string_view column, std::string_view value) {
    Statement statement = db_.Prepare(
        "SELECT time FROM login_failures WHERE " + std::string(column) +
        " = ?1 AND time > ?2 ORDER BY time DESC LIMIT 1 OFFSET ?3");
    statement.Bind(1, value)
        .Bind(2, now - kFailedLoginWindowMs)
        .Bind(3, int64_t{kMaxFailedLogins - 1});
    if (statement.Step()) {
      wait_ms =
          std::max(wait_ms, statement.Int(0) + kFailedLoginWindowMs - now);
    }
  };
  check("name_key", name_key);
  // The worker says whether the address counts: not for a client the
  // per-address limits exempt (loopback unless --limit-loopback, --exempt).
  if (by_address && !address.empty()) check("address", address);
  return wait_ms <= 0 ? 0 : (wait_ms + 999) / 1000;
}

void Service::GetHash(const Request& request) {
  if (RefuseBanned(request)) return;
  std::string key = Key(request.fields[0]);
  if (int64_t seconds = ThrottledFor(key, SessionAddress(request.session),
                                     request.fields[1] == "1")) {
    std::string text = std::to_string(seconds);
    return request.Reply(Status::kThrottled, {text});
  }
  Statement statement =
      db_.Prepare("SELECT name, hash FROM accounts WHERE name_key = ?1");
  statement.Bind(1, key);
  if (statement.Step()) {
    std::string name = statement.Text(0);
    std::string hash = statement.Text(1);
    request.Reply(Status::kOk, {name, hash});
  } else {
    request.Reply(statement.ok() ? Status::kNotFound : Status::kFailed);
  }
}

void Service::LoginDone(const Request& request) {
  const std::string key = Key(request.fields[0]);
  Statement update = db_.Prepare(
      "UPDATE accounts SET last_login = ?2, hash = CASE WHEN ?3 = '' THEN "
      "hash ELSE ?3 END WHERE name_key = ?1");
  update.Bind(1, key).Bind(2, NowMs()).Bind(3, request.fields[1]);
  if (!update.Run()) return request.Reply(Status::kFailed);
  // The mailbox, oldest first, in parts that fit a frame. Rows stay until
  // the worker says they were written (kMailboxDone).
  Statement rows = db_.Prepare(
      "SELECT m.id, m.time, m.sender, m.text FROM mailbox m JOIN accounts a "
      "ON a.id = m.account_id WHERE a.name_key = ?1 ORDER BY m.id");
  rows.Bind(1, key);
  std::vector<std::string> part;
  size_t part_bytes = 0;
  auto flush = [&] {
    if (part.empty()) return;
    std::vector<std::string_view> views(part.begin(), part.end());
    request.Reply(Status::kMore, views);
    part.clear();
    part_bytes = 0;
  };
  while (rows.Step()) {
    std::string row[4] = {std::to_string(rows.Int(0)), FormatTime(rows.Int(1)),
                          rows.Text(2), rows.Text(3)};
    size_t bytes = 0;
    for (const auto& field : row) bytes += field.size() + 4;
    if (part_bytes + bytes > ipc::kMaxFramePayload / 2) flush();
    for (auto& field : row) part.push_back(std::move(field));
    part_bytes += bytes;
  }
  flush();
  if (!rows.ok()) return request.Reply(Status::kFailed);
  // The privacy setting and the accepted chats, which outlive sessions.
  std::vector<std::string> tail;
  Statement privacy = db_.Prepare(
      "SELECT coalesce(privacy, '') FROM accounts WHERE "
      "name_key = ?1");
  privacy.Bind(1, key);
  tail.push_back(privacy.Step() ? privacy.Text(0) : "");
  Statement contacts = db_.Prepare(
      "SELECT a.name FROM contacts c JOIN accounts a ON a.name_key = "
      "CASE WHEN c.a_key = ?1 THEN c.b_key ELSE c.a_key END "
      "WHERE c.a_key = ?1 OR c.b_key = ?1 ORDER BY c.since");
  contacts.Bind(1, key);
  while (contacts.Step()) tail.push_back(contacts.Text(0));
  std::vector<std::string_view> views(tail.begin(), tail.end());
  request.Reply(contacts.ok() ? Status::kOk : Status::kFailed, views);
}

void Service::Contact(const Request& request) {
  std::string a = Key(request.fields[0]);
  std::string b = Key(request.fields[1]);
  if (b < a) std::swap(a, b);  // one row per pair
  if (request.fields[2] == "1") {
    db_.Prepare(
           "INSERT OR IGNORE INTO contacts (a_key, b_key, since) SELECT ?1, "
           "?2, ?3 WHERE (SELECT count(*) FROM accounts WHERE name_key IN "
           "(?1, ?2)) = 2")
        .Bind(1, a)
        .Bind(2, b)
        .Bind(3, NowMs())
        .Run();
  } else {
    db_.Prepare("DELETE FROM contacts WHERE a_key = ?1 AND b_key = ?2")
        .Bind(1, a)
        .Bind(2, b)
        .Run();
  }
}

void Service::Privacy(const Request& request) {
  db_.Prepare("UPDATE accounts SET privacy = ?2 WHERE name_key = ?1")
      .Bind(1, Key(request.fields[0]))
      .Bind(2, request.fields[1])
      .Run();
}

void Service::LoginFailed(const Request& request) {
  db_.Prepare(
         "INSERT INTO login_failures (time, name, name_key, address) "
         "VALUES (?1, ?2, ?3, ?4)")
      .Bind(1, NowMs())
      .Bind(2, request.fields[0])
      .Bind(3, Key(request.fields[0]))
      .Bind(4, SessionAddress(request.session))
      .Run();
}

void Service::SetHash(const Request& request) {
  int64_t changed =
      SetAccountHash(db_, Key(request.fields[0]), request.fields[1]);
  if (changed < 0) return request.Reply(Status::kFailed);
  request.Reply(changed == 1 ? Status::kOk : Status::kNotFound);
}

void Service::DeleteAccount(const Request& request) {
  // The same rows chat-admin's delete removes (accounts_sql.h): the
  // account, its mailbox, its accepted chats and its private history.
  if (DeleteAccountRows(db_, Key(request.fields[0])) < 0) {
    return request.Reply(Status::kFailed);
  }
  request.Reply(Status::kOk);
}

}  // namespace chat::store
