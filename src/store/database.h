// Database: the one SQLite connection of a process (the store process, or
// chat-admin), opened in WAL mode with synchronous=NORMAL and a busy
// timeout, its schema brought to the newest version by numbered migrations
// (schema.cc), each run once inside a transaction. A Statement is a prepared
// statement with typed binds and reads.
//
// Never open one before a fork and use it after (SQLite's "How To Corrupt an
// SQLite Database File", 2.6): the store process opens its own after it is
// forked, and the server's other processes open none.
#ifndef CHAT_STORE_DATABASE_H_
#define CHAT_STORE_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace chat::store {

// The file inside the data directory.
inline constexpr std::string_view kDatabaseFile = "chat-server.db";

class Statement {
 public:
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindNull(int index);
  // One step: true while a row is there to read. A failure is remembered
  // (ok() false) and reads as the end.
  bool Step();
  // Steps to the end (for statements that return no rows); ok().
  bool Run();
  bool ok() const { return ok_; }

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  sqlite3_stmt* stmt_;
  bool ok_ = true;
};

class Database {
 public:
  // Opens (creating it if `create`) `path`, sets the pragmas and migrates.
  // nullopt with *error set on failure.
  static std::optional<Database> Open(const std::string& path, bool create,
                                      std::string* error);

  Database(Database&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Database& operator=(Database&&) = delete;
  ~Database();

  // A statement for `sql`; aborts on SQL that does not compile (a bug).
  Statement Prepare(std::string_view sql);
  // Runs SQL that returns no rows; false (and error() tells) on failure.
  bool Exec(std::string_view sql);
  std::string error() const;
  int64_t changes() const;
  int64_t last_insert_id() const;

  // The schema version after Open: the number of migrations applied.
  int schema_version();

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  bool Migrate(std::string* error);
  sqlite3* db_;
};

// Milliseconds since the Unix epoch, as stored in every time column.
int64_t NowMs();
// "2026-12-04T13:05:03.818Z"
std::string FormatTime(int64_t ms);
// The inverse, also accepting "2026-12-04", "2026-12-04T13:05" and
// "2026-12-04 13:05:03"; nullopt for anything else.
std::optional<int64_t> ParseTime(std::string_view text);

// Lower-cased ASCII: names and rooms are unique without regard to case.
std::string Key(std::string_view name);

}  // namespace chat::store

#endif  // CHAT_STORE_DATABASE_H_
