// chat-admin's command line and its failures before any account is touched:
// usage errors (exit 2, one line naming the program), --help and --version
// (exit 0), and a data directory without a database (exit 1, and no
// database created there).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "admin/admin_fixture.h"
#include "admin/time_arg.h"
#include "store/database.h"

namespace chat::test {
namespace {

// One line, "chat-admin: " first.
bool IsOneErrorLine(const std::string& err) {
  return err.starts_with("chat-admin: ") && err.ends_with("\n") &&
         err.find('\n') == err.size() - 1;
}

TEST(AdminUsageTest, HelpAndVersion) {
  AdminRun help = RunAdmin({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_TRUE(help.out.starts_with("usage: chat-admin [--data-dir DIR] "))
      << help.out;
  for (const char* command :
       {"accounts", "sessions", "failed-logins", "delete", "reset-password"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
  }
  EXPECT_EQ(help.err, "");
  AdminRun sessions = RunAdmin({"sessions", "--help"});
  EXPECT_EQ(sessions.status, 0);
  EXPECT_NE(sessions.out.find("--since TIME"), std::string::npos)
      << sessions.out;
  AdminRun version = RunAdmin({"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, "chat-admin 1.0\n");
}

TEST(AdminUsageTest, NoCommandPrintsTheUsage) {
  AdminRun run = RunAdmin({});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(run.err.starts_with("usage: chat-admin")) << run.err;
}

TEST(AdminUsageTest, MistakesAreOneLineAndExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const Case kCases[] = {
      {{"frobnicate"}, "unknown command \"frobnicate\""},
      {{"delete"}, "NAME is required"},
      {{"reset-password"}, "NAME is required"},
      {{"delete", "Al-ice"}, "invalid username \"Al-ice\""},
      {{"delete", "Alice", "Bob"}, "Bob"},
      {{"sessions", "--name", "a b"}, "invalid username"},
      {{"sessions", "--since", "yesterday"}, "--since"},
      {{"failed-logins", "--since", "2026-13-01"}, "--since"},
      {{"accounts", "--frob"}, "--frob"},
      {{"accounts", "--since", "1h"}, "--since"},
      {{"--data-dir"}, "--data-dir"},
  };
  for (const Case& c : kCases) {
    AdminRun run = RunAdmin(c.args);
    std::string what = c.args[0] + (c.args.size() > 1 ? " " + c.args[1] : "");
    EXPECT_EQ(run.status, 2) << what;
    EXPECT_EQ(run.out, "") << what;
    EXPECT_TRUE(IsOneErrorLine(run.err)) << what << ": " << run.err;
    EXPECT_NE(run.err.find(c.says), std::string::npos) << run.err;
  }
}

TEST(AdminUsageTest, MissingDatabaseIsAnErrorAndCreatesNothing) {
  std::string dir = MakeTempDir();
  for (const char* command : {"accounts", "sessions", "failed-logins"}) {
    AdminRun run = RunAdmin({"--data-dir", dir, command});
    EXPECT_EQ(run.status, 1) << command;
    EXPECT_EQ(run.out, "");
    EXPECT_TRUE(IsOneErrorLine(run.err)) << run.err;
    EXPECT_NE(run.err.find("no database in " + dir), std::string::npos)
        << run.err;
  }
  AdminRun removal = RunAdmin({"--data-dir", dir, "delete", "Alice"});
  EXPECT_EQ(removal.status, 1);
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "chat-admin left files";
  RemoveTree(dir);

  AdminRun nowhere = RunAdmin({"--data-dir", dir + "/gone", "accounts"});
  EXPECT_EQ(nowhere.status, 1);
  EXPECT_TRUE(IsOneErrorLine(nowhere.err)) << nowhere.err;
  EXPECT_NE(nowhere.err.find("No such file or directory"), std::string::npos)
      << nowhere.err;
}

TEST(AdminUsageTest, NotADatabaseIsAnError) {
  std::string dir = MakeTempDir();
  {
    FILE* file = std::fopen((dir + "/chat-server.db").c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs(
        "this is not an SQLite database, but long enough to look\n"
        "at its first hundred bytes and refuse it for what it is.\n",
        file);
    std::fclose(file);
  }
  AdminRun run = RunAdmin({"--data-dir", dir, "accounts"});
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(IsOneErrorLine(run.err)) << run.err;
  RemoveTree(dir);
}

TEST(TimeArgTest, AcceptsThePrintedFormShorterOnesAndSpans) {
  using admin::ParseTimeArg;
  const int64_t now = 1'800'000'000'000;
  auto day = store::ParseTime("2026-12-04");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(ParseTimeArg("2026-12-04", now), day);
  EXPECT_EQ(ParseTimeArg("2026-12-04T13:05", now), *day + 47'100'000);
  EXPECT_EQ(ParseTimeArg("2026-12-04 13:05:03", now), *day + 47'103'000);
  EXPECT_EQ(ParseTimeArg("2026-12-04T13:05:03Z", now), *day + 47'103'000);
  EXPECT_EQ(ParseTimeArg("2026-12-04T13:05:03.818Z", now), *day + 47'103'818);
  EXPECT_EQ(ParseTimeArg(store::FormatTime(now + 5), now), now + 5);
  EXPECT_EQ(ParseTimeArg("90s", now), now - 90'000);
  EXPECT_EQ(ParseTimeArg("90m", now), now - 5'400'000);
  EXPECT_EQ(ParseTimeArg("2h", now), now - 7'200'000);
  EXPECT_EQ(ParseTimeArg("7d", now), now - 604'800'000);
  for (const char* bad :
       {"", "h", "2", "2w", "-2h", "x2h", "yesterday", "2026-12-04.818",
        "2026-12-04T13:05:03.8Z", "2026-12-04T13:05:03.8188Z", "2026-13-04"}) {
    EXPECT_EQ(ParseTimeArg(bad, now), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace chat::test
