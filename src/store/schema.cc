// The migrations. Times are milliseconds since the Unix epoch; *_key columns
// hold lower-cased names, since names are unique without regard to case.
#include "store/schema.h"

#include <array>

namespace chat::store {
namespace {

constexpr std::array<std::string_view, 3> kMigrations = {
    // 1: accounts, offline mailboxes, history, the audit log.
    R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  created INTEGER NOT NULL,
  last_login INTEGER
);
CREATE TABLE mailbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  time INTEGER NOT NULL,
  sender TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX mailbox_by_account ON mailbox(account_id, id);
CREATE INDEX mailbox_by_time ON mailbox(time);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  sender TEXT NOT NULL,
  sender_key TEXT NOT NULL,
  recipient TEXT NOT NULL,
  recipient_key TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX messages_by_recipient ON messages(recipient_key, id);
CREATE INDEX messages_by_sender ON messages(sender_key, id);
CREATE INDEX messages_by_time ON messages(time);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  run INTEGER NOT NULL,
  number INTEGER NOT NULL,
  peer TEXT NOT NULL,
  pid INTEGER NOT NULL,
  name TEXT,
  account INTEGER NOT NULL DEFAULT 0,
  connected INTEGER NOT NULL,
  registered INTEGER,
  ended INTEGER,
  how TEXT,
  UNIQUE (run, number)
);
CREATE INDEX sessions_by_connected ON sessions(connected);
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  address TEXT NOT NULL
);
CREATE INDEX login_failures_by_name ON login_failures(name_key, time);
CREATE INDEX login_failures_by_address ON login_failures(address, time);
)sql",
    // 2: accepted private chats between accounts, and each account's
    // privacy setting (NULL: the server's default).
    R"sql(
ALTER TABLE accounts ADD COLUMN privacy TEXT;
CREATE TABLE contacts (
  a_key TEXT NOT NULL,
  b_key TEXT NOT NULL,
  since INTEGER NOT NULL,
  PRIMARY KEY (a_key, b_key)
) WITHOUT ROWID;
CREATE INDEX contacts_by_b ON contacts(b_key);
)sql",
    // 3: the operator's bans (chat-admin ban): a name (kind 'name', target
    // its key) or an address or network (kind 'address', target as
    // "10.0.0.0/8" or "192.0.2.7"); until NULL is for ever.
    R"sql(
CREATE TABLE bans (
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  shown TEXT NOT NULL,
  created INTEGER NOT NULL,
  until INTEGER,
  PRIMARY KEY (kind, target)
) WITHOUT ROWID;
)sql",
};

}  // namespace

std::span<const std::string_view> Migrations() { return kMigrations; }

}  // namespace chat::store
