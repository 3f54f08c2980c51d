// chat-admin ban, unban, bans, kick and who against a real server and its
// data directory: what the clients then see over the socket (ERR Banned
// before HELLO, at JOIN/REGISTER/LOGIN; BYE Kicked), what chat-admin prints
// and its exit status. Clients come from other loopback addresses
// (127.0.0.2, ...) by binding their socket first.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "admin/admin_fixture.h"

namespace chat::test {
namespace {

using ModerationTest = AdminTest;

constexpr char kHello[] = "HELLO chat-server 1.0; send JOIN <username>";

std::unique_ptr<Connection> From(uint16_t port, const std::string& source) {
  return Connection::Open(port, "127.0.0.1", source);
}

TEST_F(ModerationTest, BanUnbanAndListOnTheDatabase) {
  AdminRun name = Admin({"ban", "Mallory"});
  EXPECT_EQ(name.status, 0) << name.err;
  EXPECT_EQ(name.out, "banned name Mallory for ever\n");
  AdminRun network = Admin({"ban", "2001:DB8::/32", "--for", "2h"});
  EXPECT_EQ(network.status, 0) << network.err;
  EXPECT_TRUE(network.out.starts_with("banned address 2001:db8::/32 until "))
      << network.out;

  AdminRun listed = Admin({"bans", "--json"});
  EXPECT_EQ(listed.status, 0) << listed.err;
  std::vector<std::string> lines = Lines(listed.out);
  ASSERT_EQ(lines.size(), 2u) << listed.out;
  EXPECT_TRUE(lines[0].starts_with(
      "{\"kind\":\"name\",\"target\":\"Mallory\",\"created\":\""))
      << lines[0];
  EXPECT_TRUE(lines[0].ends_with("\"until\":null}")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with(
      "{\"kind\":\"address\",\"target\":\"2001:db8::/32\""))
      << lines[1];

  // The same network in another spelling is the same ban.
  AdminRun lifted = Admin({"unban", "2001:db8:0::/32"});
  EXPECT_EQ(lifted.status, 0) << lifted.err;
  EXPECT_EQ(lifted.out, "unbanned address 2001:db8::/32\n");
  AdminRun again = Admin({"unban", "2001:db8::/32"});
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.err, "chat-admin: unban: no ban of address 2001:db8::/32\n");
  EXPECT_EQ(Lines(Admin({"bans", "--json"}).out).size(), 1u);

  AdminRun table = Admin({"bans"});
  ASSERT_EQ(Lines(table.out).size(), 2u) << table.out;
  EXPECT_TRUE(table.out.starts_with("KIND      TARGET")) << table.out;
}

TEST_F(ModerationTest, BadTargetsAndDurationsAreUsageErrors) {
  for (const char* target :
       {"not-a-name", "10.0.0.1/8", "10.0.0.0/33", "::/x", "300.1.1.1"}) {
    AdminRun run = Admin({"ban", target});
    EXPECT_EQ(run.status, 2) << target;
    EXPECT_TRUE(run.err.starts_with("chat-admin: cannot ban \"")) << run.err;
    EXPECT_EQ(run.out, "");
  }
  AdminRun bad_for = Admin({"ban", "Mallory", "--for", "soon"});
  EXPECT_EQ(bad_for.status, 2);
  EXPECT_EQ(bad_for.err,
            "chat-admin: --for: cannot read \"soon\" as a duration: give 30s, "
            "90m, 2h or 7d\n");
  AdminRun zero = Admin({"ban", "Mallory", "--for", "0m"});
  EXPECT_EQ(zero.status, 2);
  AdminRun bad_reason = Admin({"kick", "Bob", "a\tb\x01"});
  EXPECT_EQ(bad_reason.status, 2);
  EXPECT_EQ(Lines(Admin({"bans"}).out).size(), 1u);  // the header alone
}

TEST_F(ModerationTest, BannedAddressGetsErrBannedInsteadOfHello) {
  auto before = From(port(), "127.0.0.2");
  ASSERT_NE(before, nullptr);
  ASSERT_TRUE(NextLineIs(*before, kHello));
  before->SendLine("JOIN Early");
  ASSERT_TRUE(NextLineIs(*before, "OK JOIN Early"));
  auto watcher = ConnectAndJoin(port(), "Watcher");
  ASSERT_NE(watcher, nullptr);
  ASSERT_TRUE(NextLineIs(*before, "JOINED Watcher"));

  AdminRun ban = Admin({"ban", "127.0.0.2"});
  EXPECT_EQ(ban.status, 0) << ban.err;
  EXPECT_EQ(ban.out, "banned address 127.0.0.2 for ever\n");
  // Already on line from there: removed at once.
  EXPECT_TRUE(ClosedAfter(*before, {"BYE Kicked: banned"}));
  EXPECT_TRUE(NextLineIs(*watcher, "LEFT Early"));

  auto banned = From(port(), "127.0.0.2");
  ASSERT_NE(banned, nullptr);
  EXPECT_TRUE(ClosedAfter(*banned, {"ERR Banned"}));
  EXPECT_TRUE(server_->WaitForLog("refused from 127.0.0.2"));
  auto other = From(port(), "127.0.0.3");
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE(NextLineIs(*other, kHello));

  // A network covers its addresses; lifting the bans lets them in again.
  ASSERT_EQ(Admin({"ban", "127.0.0.0/24"}).status, 0);
  EXPECT_TRUE(ClosedAfter(*other, {"BYE Kicked: banned"}));
  auto in_network = From(port(), "127.0.0.9");
  ASSERT_NE(in_network, nullptr);
  EXPECT_TRUE(ClosedAfter(*in_network, {"ERR Banned"}));
  ASSERT_EQ(Admin({"unban", "127.0.0.0/24"}).status, 0);
  ASSERT_EQ(Admin({"unban", "127.0.0.2"}).status, 0);
  auto back = From(port(), "127.0.0.2");
  ASSERT_NE(back, nullptr);
  EXPECT_TRUE(NextLineIs(*back, kHello));
}

TEST_F(ModerationTest, AddressBanMadeWhileStoppedHoldsAfterStart) {
  server_->process().Signal(SIGTERM);
  ASSERT_EQ(server_->process().Wait(), 0);
  struct stat info {};
  EXPECT_NE(stat((dir() + "/chat-server.control").c_str(), &info), 0)
      << "the control socket outlives the server";
  AdminRun ban = Admin({"ban", "127.0.0.2", "--for", "1h"});
  EXPECT_EQ(ban.status, 0) << ban.err;
  EXPECT_TRUE(ban.out.ends_with(
      "\nthe server is not running: it applies this when it starts\n"))
      << ban.out;
  AdminRun kick = Admin({"kick", "Bob"});
  EXPECT_EQ(kick.status, 1);
  EXPECT_EQ(kick.err, "chat-admin: kick: no server is running on " + dir() +
                          " (no control socket; a server started with "
                          "--ephemeral has none)\n");
  EXPECT_EQ(Admin({"who"}).status, 1);

  Start();
  auto banned = From(port(), "127.0.0.2");
  ASSERT_NE(banned, nullptr);
  EXPECT_TRUE(ClosedAfter(*banned, {"ERR Banned"}));
}

TEST_F(ModerationTest, BannedNameIsRefusedAtJoinRegisterAndLogin) {
  MakeAccount("Alice");
  auto alice = Login("alice", "Alice");
  ASSERT_NE(alice, nullptr);
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  ASSERT_TRUE(NextLineIs(*alice, "JOINED Bob"));

  AdminRun ban = Admin({"ban", "ALICE"});
  EXPECT_EQ(ban.status, 0) << ban.err;
  EXPECT_EQ(ban.out,
            "banned name ALICE for ever\n"
            "removed Alice from the server (BYE Kicked: banned)\n");
  EXPECT_TRUE(ClosedAfter(*alice, {"BYE Kicked: banned"}));
  EXPECT_TRUE(NextLineIs(*bob, "LEFT Alice"));

  Ask("JOIN alice", "ERR Banned");
  Ask("LOGIN Alice " + std::string(kPassword), "ERR Banned");
  Ask("REGISTER aLiCe " + std::string(kPassword), "ERR Banned");
  // The connection stays usable for another name.
  auto carol = Ask("JOIN Alice", "ERR Banned");
  ASSERT_NE(carol, nullptr);
  carol->SendLine("JOIN Carol");
  EXPECT_TRUE(NextLineIs(*carol, "OK JOIN Carol"));

  ASSERT_EQ(Admin({"unban", "alice"}).status, 0);
  Login("Alice", "Alice");
}

TEST_F(ModerationTest, KickEndsTheSessionWithTheReason) {
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto carol = ConnectAndJoin(port(), "Carol");
  ASSERT_NE(carol, nullptr);
  ASSERT_TRUE(NextLineIs(*bob, "JOINED Carol"));

  AdminRun kick = Admin({"kick", "bob", "flooding", "the", "room"});
  EXPECT_EQ(kick.status, 0) << kick.err;
  EXPECT_EQ(kick.out, "kicked Bob (BYE Kicked: flooding the room)\n");
  EXPECT_TRUE(ClosedAfter(*bob, {"BYE Kicked: flooding the room"}));
  EXPECT_TRUE(NextLineIs(*carol, "LEFT Bob"));
  EXPECT_TRUE(server_->WaitForLog("(kicked by the operator)"));

  AdminRun plain = Admin({"kick", "Carol"});
  EXPECT_EQ(plain.status, 0) << plain.err;
  EXPECT_TRUE(ClosedAfter(*carol, {"BYE Kicked: by the operator"}));

  AdminRun nobody = Admin({"kick", "Nobody"});
  EXPECT_EQ(nobody.status, 1);
  EXPECT_EQ(nobody.err, "chat-admin: kick: Nobody: not online\n");
  EXPECT_EQ(nobody.out, "");
}

TEST_F(ModerationTest, WhoListsTheLiveSessions) {
  auto alice = Register("Alice");
  ASSERT_NE(alice, nullptr);
  auto bob = From(port(), "127.0.0.5");
  ASSERT_NE(bob, nullptr);
  ASSERT_TRUE(NextLineIs(*bob, kHello));
  bob->SendLine("JOIN Bob");
  ASSERT_TRUE(NextLineIs(*bob, "OK JOIN Bob"));
  auto gone = ConnectAndJoin(port(), "Gone");
  ASSERT_NE(gone, nullptr);
  gone->SendLine("QUIT");
  ASSERT_TRUE(ClosedAfter(*gone, {"OK QUIT"}));

  AdminRun who = AdminUntil({"who", "--json"}, [](const AdminRun& run) {
    return run.out.find("\"Alice\"") != std::string::npos &&
           run.out.find("\"account\":true") != std::string::npos &&
           run.out.find("\"Bob\"") != std::string::npos &&
           run.out.find("\"Gone\"") == std::string::npos;
  });
  EXPECT_EQ(who.status, 0) << who.err;
  std::vector<std::string> lines = Lines(who.out);
  ASSERT_EQ(lines.size(), 2u) << who.out;
  EXPECT_TRUE(lines[0].starts_with(
      "{\"name\":\"Alice\",\"account\":true,\"address\":\"127.0.0.1:"))
      << lines[0];
  EXPECT_TRUE(lines[1].starts_with(
      "{\"name\":\"Bob\",\"account\":false,\"address\":\"127.0.0.5:"))
      << lines[1];

  AdminRun table = Admin({"who"});
  EXPECT_TRUE(table.out.starts_with("NAME ")) << table.out;
}

TEST_F(ModerationTest, ControlSocketIsTheServerUsersAlone) {
  struct stat info {};
  ASSERT_EQ(stat((dir() + "/chat-server.control").c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace chat::test
