// Service: offline mailboxes and the history of messages.
#include <algorithm>
#include <charconv>
#include <string>

#include "store/service.h"

namespace chat::store {
namespace {

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

void Service::MailboxDone(const Request& request) {
  auto last = ParseId(request.fields[1]);
  if (!last) return;
  db_.Prepare(
         "DELETE FROM mailbox WHERE id <= ?2 AND account_id = (SELECT id "
         "FROM accounts WHERE name_key = ?1)")
      .Bind(1, Key(request.fields[0]))
      .Bind(2, *last)
      .Run();
}

void Service::Queue(const Request& request) {
  std::string_view to = request.fields[0];
  // The recipient may have logged in since the sender looked: it joins the
  // registry before it asks for its mailbox, and this store handles one
  // request at a time, so either its mailbox read comes after this insert
  // (and carries the message), or the recipient is in the registry now and
  // the sender delivers live. Either way nothing from one sender overtakes.
  if (registry_ && registry_->Lookup(to)) {
    return request.Reply(Status::kOnline);
  }
  Statement account = db_.Prepare(
      "SELECT a.id, a.name, (SELECT count(*) FROM mailbox m WHERE "
      "m.account_id = a.id) FROM accounts a WHERE a.name_key = ?1");
  account.Bind(1, Key(to));
  if (!account.Step()) {
    return request.Reply(account.ok() ? Status::kNotFound : Status::kFailed);
  }
  const int64_t id = account.Int(0);
  const std::string name = account.Text(1);
  if (account.Int(2) >= limits_.mailbox) {
    return request.Reply(Status::kFull, {name});
  }
  const int64_t now = NowMs();
  Statement insert = db_.Prepare(
      "INSERT INTO mailbox (account_id, time, sender, text) "
      "VALUES (?1, ?2, ?3, ?4)");
  insert.Bind(1, id)
      .Bind(2, now)
      .Bind(3, request.fields[1])
      .Bind(4, request.fields[2]);
  if (!insert.Run()) return request.Reply(Status::kFailed);
  Keep(request.fields[1], name, request.fields[2], now);
  request.Reply(Status::kOk, {name});
}

void Service::Keep(std::string_view from, std::string_view to,
                   std::string_view text, int64_t time) {
  if (limits_.history_days == 0) return;
  db_.Prepare(
         "INSERT INTO messages (time, sender, sender_key, recipient, "
         "recipient_key, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .Bind(1, time)
      .Bind(2, from)
      .Bind(3, Key(from))
      .Bind(4, to)
      .Bind(5, Key(to))
      .Bind(6, text)
      .Run();
}

void Service::Record(const Request& request) {
  Keep(request.fields[0], request.fields[1], request.fields[2], NowMs());
}

void Service::History(const Request& request) {
  const std::string me = Key(request.fields[0]);
  const std::string target = Key(request.fields[2]);
  auto count = ParseId(request.fields[3]);
  auto before = request.fields[4].empty() ? std::optional<int64_t>(INT64_MAX)
                                          : ParseId(request.fields[4]);
  if (!count || !before) return request.Reply(Status::kFailed);
  const bool pair = target != "*" && !target.starts_with("#");
  Statement rows = db_.Prepare(
      pair ? "SELECT id, time, sender, recipient, text FROM messages WHERE "
             "id < ?3 AND ((sender_key = ?1 AND recipient_key = ?2) OR "
             "(sender_key = ?2 AND recipient_key = ?1)) ORDER BY id DESC "
             "LIMIT ?4"
           : "SELECT id, time, sender, recipient, text FROM messages WHERE "
             "id < ?3 AND recipient_key = ?2 ORDER BY id DESC LIMIT ?4");
  rows.Bind(1, me).Bind(2, target).Bind(3, *before).Bind(4, *count);
  std::vector<std::vector<std::string>> found;
  while (rows.Step()) {
    found.push_back({std::to_string(rows.Int(0)), FormatTime(rows.Int(1)),
                     rows.Text(2), rows.Text(3), rows.Text(4)});
  }
  if (!rows.ok()) return request.Reply(Status::kFailed);
  std::reverse(found.begin(), found.end());  // oldest first
  std::vector<std::string_view> part;
  size_t part_bytes = 0;
  for (const auto& row : found) {
    size_t bytes = 0;
    for (const auto& field : row) bytes += field.size() + 4;
    if (part_bytes + bytes > ipc::kMaxFramePayload / 2) {
      request.Reply(Status::kMore, part);
      part.clear();
      part_bytes = 0;
    }
    part.insert(part.end(), row.begin(), row.end());
    part_bytes += bytes;
  }
  if (!part.empty()) request.Reply(Status::kMore, part);
  std::string n = std::to_string(found.size());
  request.Reply(Status::kOk, {n});
}

}  // namespace chat::store
