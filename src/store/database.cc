// Database: opening, pragmas, migrations, statements, and the time format.
#include "store/database.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "store/schema.h"

namespace chat::store {
namespace {

// How long a writer waits for chat-admin (or the other way round) before a
// statement fails with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::Bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) ok_ = false;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(),
                        static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    ok_ = false;
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) ok_ = false;
  return *this;
}

bool Statement::Step() {
  if (!ok_) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) ok_ = false;
  return false;
}

bool Statement::Run() {
  while (Step()) {
  }
  return ok_;
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::Text(int column) const {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!text) return {};
  return std::string(text,
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<Database> Database::Open(const std::string& path, bool create,
                                       std::string* error) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
              (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    *error = path + ": " + (db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return std::nullopt;
  }
  Database database(db);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL: readers (chat-admin) never block the writer; NORMAL: a commit is
  // durable against a crash of the process (the WAL is in the kernel's
  // hands), and against power loss up to the last checkpoint's sync.
  if (!database.Exec("PRAGMA journal_mode=WAL") ||
      !database.Exec("PRAGMA synchronous=NORMAL") ||
      !database.Exec("PRAGMA foreign_keys=ON") || !database.Migrate(error)) {
    if (error->empty()) *error = path + ": " + database.error();
    return std::nullopt;
  }
  return database;
}

Database::~Database() {
  if (db_) sqlite3_close(db_);
}

bool Database::Migrate(std::string* error) {
  auto migrations = Migrations();
  int version = schema_version();
  if (version > static_cast<int>(migrations.size())) {
    *error = "the database has schema version " + std::to_string(version) +
             ", newer than this program's " +
             std::to_string(migrations.size()) + "; use a newer chat-server";
    return false;
  }
  for (size_t next = static_cast<size_t>(version); next < migrations.size();
       ++next) {
    // IMMEDIATE: two processes starting together cannot both migrate.
    if (!Exec("BEGIN IMMEDIATE")) return false;
    if (schema_version() != static_cast<int>(next)) {  // someone else did
      Exec("ROLLBACK");
      continue;
    }
    if (!Exec(migrations[next]) ||
        !Exec("PRAGMA user_version=" + std::to_string(next + 1)) ||
        !Exec("COMMIT")) {
      *error = "migration " + std::to_string(next + 1) + ": " + this->error();
      Exec("ROLLBACK");
      return false;
    }
  }
  return true;
}

Statement Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt,
                         nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "store: bad SQL (%s): %.*s\n", sqlite3_errmsg(db_),
                 static_cast<int>(sql.size()), sql.data());
    std::abort();
  }
  return Statement(stmt);
}

bool Database::Exec(std::string_view sql) {
  std::string text(sql);
  return sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) ==
         SQLITE_OK;
}

std::string Database::error() const { return sqlite3_errmsg(db_); }

int64_t Database::changes() const { return sqlite3_changes64(db_); }

int64_t Database::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}

int Database::schema_version() {
  Statement statement = Prepare("PRAGMA user_version");
  return statement.Step() ? static_cast<int>(statement.Int(0)) : 0;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatTime(int64_t ms) {
  time_t seconds = static_cast<time_t>(ms / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

std::optional<int64_t> ParseTime(std::string_view text) {
  tm utc{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string copy(text);
  if (!copy.empty() && copy.back() == 'Z') copy.pop_back();
  // FormatTime's milliseconds: kept apart, added at the end.
  int64_t millis = 0;
  if (size_t dot = copy.find('.'); dot != std::string::npos) {
    std::string fraction = copy.substr(dot + 1);
    if (fraction.size() != 3 ||
        fraction.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    millis = std::atoi(fraction.c_str());
    copy.resize(dot);
  }
  for (char& c : copy) {
    if (c == 'T') c = ' ';
  }
  // The whole text must be one of the three forms.
  const int length = static_cast<int>(copy.size());
  int used = -1;
  bool matched =
      (std::sscanf(copy.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &year, &month,
                   &day, &hour, &minute, &second, &used) == 6 &&
       used == length) ||
      (used = -1, std::sscanf(copy.c_str(), "%4d-%2d-%2d %2d:%2d%n", &year,
                              &month, &day, &hour, &minute, &used) == 5 &&
                      used == length) ||
      (used = -1, hour = minute = second = 0,
       std::sscanf(copy.c_str(), "%4d-%2d-%2d%n", &year, &month, &day, &used) ==
               3 &&
           used == length);
  if (!matched) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  utc.tm_year = year - 1900;
  utc.tm_mon = month - 1;
  utc.tm_mday = day;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  return static_cast<int64_t>(timegm(&utc)) * 1000 + millis;
}

std::string Key(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

}  // namespace chat::store
