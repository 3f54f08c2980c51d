// chat-admin's listings against a real server's database, while the server
// runs: accounts, sessions (the audit log) and failed logins, as tables and
// as JSON lines that a JSON parser reads.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "admin/admin_fixture.h"

namespace chat::test {
namespace {

using ListingTest = AdminTest;
using nlohmann::json;

// store::FormatTime's form: RFC 3339, UTC, milliseconds.
bool IsTime(const json& value) {
  static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  return value.is_string() && std::regex_match(value.get<std::string>(), kTime);
}

// Every line of `out` parsed as one JSON object.
std::vector<json> JsonLines(const std::string& out) {
  std::vector<json> objects;
  for (const std::string& line : Lines(out)) {
    json object = json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(object.is_object()) << "not a JSON object: " << line;
    objects.push_back(object);
  }
  return objects;
}

TEST_F(ListingTest, AccountsAsTableAndJson) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Bob"));
  ASSERT_NO_FATAL_FAILURE(MakeAccount("alice"));

  AdminRun table = Admin({"accounts"});
  EXPECT_EQ(table.status, 0) << table.err;
  EXPECT_EQ(table.err, "");
  auto lines = Lines(table.out);
  ASSERT_EQ(lines.size(), 3u) << table.out;
  EXPECT_TRUE(lines[0].starts_with("NAME")) << lines[0];
  EXPECT_NE(lines[0].find("LAST LOGIN"), std::string::npos) << lines[0];
  // In name order without regard to case, as the names are spelled.
  EXPECT_TRUE(lines[1].starts_with("alice ")) << lines[1];
  EXPECT_TRUE(lines[2].starts_with("Bob ")) << lines[2];

  AdminRun listed = Admin({"accounts", "--json"});
  EXPECT_EQ(listed.status, 0) << listed.err;
  auto objects = JsonLines(listed.out);
  ASSERT_EQ(objects.size(), 2u) << listed.out;
  EXPECT_EQ(objects[0]["name"], "alice");
  EXPECT_EQ(objects[1]["name"], "Bob");
  for (const json& account : objects) {
    EXPECT_TRUE(IsTime(account["created"])) << account.dump();
    EXPECT_TRUE(IsTime(account["last_login"])) << account.dump();
    EXPECT_FALSE(account.contains("hash")) << account.dump();
  }
}

TEST_F(ListingTest, EmptyDatabaseListsOnlyTheHeader) {
  AdminRun table = Admin({"accounts"});
  EXPECT_EQ(table.status, 0) << table.err;
  EXPECT_EQ(Lines(table.out).size(), 1u) << table.out;
  AdminRun listed = Admin({"accounts", "--json"});
  EXPECT_EQ(listed.status, 0) << listed.err;
  EXPECT_EQ(listed.out, "");
}

TEST_F(ListingTest, SessionsShowHowEachEnded) {
  auto alice = Register("Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("QUIT");
  ASSERT_TRUE(ClosedAfter(*alice, {"OK QUIT"}));
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  bob->Close();  // no QUIT: the connection just goes

  AdminRun run = AdminUntil({"sessions", "--json"}, [](const AdminRun& r) {
    auto objects = JsonLines(r.out);
    return objects.size() == 2 && !objects[0]["how"].is_null() &&
           !objects[1]["how"].is_null();
  });
  EXPECT_EQ(run.status, 0) << run.err;
  auto sessions = JsonLines(run.out);
  ASSERT_EQ(sessions.size(), 2u) << run.out;
  const json& first = sessions[0];
  EXPECT_EQ(first["name"], "Alice");
  EXPECT_EQ(first["account"], true);
  EXPECT_EQ(first["how"], "quit");
  EXPECT_TRUE(first["id"].is_number_integer());
  EXPECT_GT(first["pid"].get<int64_t>(), 0);
  EXPECT_TRUE(first["peer"].get<std::string>().starts_with("127.0.0.1:"))
      << first.dump();
  for (const char* time : {"connected", "registered", "ended"}) {
    EXPECT_TRUE(IsTime(first[time])) << time << ": " << first.dump();
  }
  const json& second = sessions[1];
  EXPECT_EQ(second["name"], "Bob");
  EXPECT_EQ(second["account"], false);
  EXPECT_EQ(second["how"], "closed");
  EXPECT_GT(second["id"].get<int64_t>(), first["id"].get<int64_t>());

  AdminRun table = Admin({"sessions"});
  EXPECT_EQ(table.status, 0) << table.err;
  auto lines = Lines(table.out);
  ASSERT_EQ(lines.size(), 3u) << table.out;
  EXPECT_TRUE(lines[0].starts_with("ID")) << lines[0];
  EXPECT_TRUE(lines[1].ends_with("  quit")) << lines[1];
  EXPECT_NE(lines[1].find(" Alice "), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(" yes "), std::string::npos) << lines[1];
  EXPECT_TRUE(lines[2].ends_with("  closed")) << lines[2];
}

TEST_F(ListingTest, SessionsByNameAndOpenSince) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto carol = ConnectAndJoin(port(), "Carol");
  ASSERT_NE(carol, nullptr);
  auto by_name = AdminUntil(
      {"sessions", "--json", "--name", "ALICE"},
      [](const AdminRun& r) { return JsonLines(r.out).size() == 1; });
  auto alices = JsonLines(by_name.out);
  ASSERT_EQ(alices.size(), 1u) << by_name.out;
  EXPECT_EQ(alices[0]["name"], "Alice");

  // Since a time to come: only the session still open is listed.
  AdminRun open = AdminUntil(
      {"sessions", "--json", "--since", "2999-01-01"},
      [](const AdminRun& r) { return JsonLines(r.out).size() == 1; });
  EXPECT_EQ(open.status, 0) << open.err;
  auto sessions = JsonLines(open.out);
  ASSERT_EQ(sessions.size(), 1u) << open.out;
  EXPECT_EQ(sessions[0]["name"], "Carol");
  EXPECT_TRUE(sessions[0]["ended"].is_null());
  EXPECT_TRUE(sessions[0]["how"].is_null());

  // Within the last hour: both.
  AdminRun recent = Admin({"sessions", "--json", "--since", "1h"});
  EXPECT_EQ(JsonLines(recent.out).size(), 2u) << recent.out;
}

TEST_F(ListingTest, FailedLoginsWithNameAndAddressNeverThePassword) {
  ASSERT_NO_FATAL_FAILURE(MakeAccount("Alice"));
  auto first = Ask("LOGIN Alice wrong-password-1", "ERR Login Failed");
  ASSERT_NE(first, nullptr);
  auto listed = AdminUntil({"failed-logins", "--json"}, [](const AdminRun& r) {
    return JsonLines(r.out).size() == 1;
  });
  auto failures = JsonLines(listed.out);
  ASSERT_EQ(failures.size(), 1u) << listed.out;
  EXPECT_EQ(failures[0]["name"], "Alice");
  EXPECT_EQ(failures[0]["address"], "127.0.0.1");
  EXPECT_TRUE(IsTime(failures[0]["time"])) << failures[0].dump();

  auto second = Ask("LOGIN bob wrong-password-2", "ERR Login Failed");
  ASSERT_NE(second, nullptr);
  auto both = AdminUntil({"failed-logins"}, [](const AdminRun& r) {
    return Lines(r.out).size() == 3;
  });
  auto lines = Lines(both.out);
  ASSERT_EQ(lines.size(), 3u) << both.out;
  EXPECT_TRUE(lines[0].starts_with("TIME")) << lines[0];
  EXPECT_NE(lines[1].find(" Alice "), std::string::npos) << lines[1];
  EXPECT_TRUE(lines[1].ends_with(" 127.0.0.1")) << lines[1];
  EXPECT_NE(lines[2].find(" bob "), std::string::npos) << lines[2];
  EXPECT_EQ(both.out.find("wrong-password"), std::string::npos);

  // --since takes a time as the listing prints it: the first is before.
  std::string since = failures[0]["time"].get<std::string>();
  AdminRun from_first = Admin({"failed-logins", "--json", "--since", since});
  EXPECT_EQ(JsonLines(from_first.out).size(), 2u) << from_first.out;
  AdminRun alice_only =
      Admin({"failed-logins", "--json", "--name", "alice", "--since", since});
  auto only = JsonLines(alice_only.out);
  ASSERT_EQ(only.size(), 1u) << alice_only.out;
  EXPECT_EQ(only[0]["name"], "Alice");
  AdminRun later = Admin({"failed-logins", "--since", "2999-01-01T00:00"});
  EXPECT_EQ(Lines(later.out).size(), 1u) << later.out;  // the header
}

}  // namespace
}  // namespace chat::test
