// chat-admin(1) names what users of chat-admin rely on: every command and
// option, the JSON members and the exit statuses. (tests/docs checks every
// page with mandoc's linter.) Runs from the repository root.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>

#include "support/subprocess.h"

namespace chat::test {
namespace {

// The page as rendered, overstrike removed, white space runs made one space.
std::string RenderedPage() {
  auto mandoc = Subprocess::Start(
      "/usr/bin/mandoc", {"-Tascii", "-O", "width=1000", "man/chat-admin.1"});
  std::string raw;
  EXPECT_TRUE(mandoc->out().ReadToEof(&raw));
  auto status = mandoc->Wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  std::string plain;
  for (char c : raw) {
    if (c == '\b') {
      if (!plain.empty()) plain.pop_back();
      continue;
    }
    bool space = c == ' ' || c == '\t' || c == '\n';
    if (space && (plain.empty() || plain.back() == ' ')) continue;
    plain += space ? ' ' : c;
  }
  return plain;
}

TEST(AdminManPageTest, NamesEveryCommandOptionMemberAndExitStatus) {
  const std::string page = RenderedPage();
  for (const char* word : {"accounts",
                           "sessions",
                           "failed-logins",
                           "delete",
                           "reset-password",
                           "--data-dir",
                           "--json",
                           "--since",
                           "--name",
                           "--help",
                           "--version",
                           "last_login",
                           "created",
                           "connected",
                           "registered",
                           "ended",
                           "account",
                           "peer",
                           "pid",
                           "how",
                           "address",
                           "chat-server.db",
                           "chat-server.lock",
                           "EXIT STATUS",
                           "Argon2id",
                           "without echo",
                           "ban",
                           "unban",
                           "bans",
                           "kick",
                           "who",
                           "--for",
                           "kind",
                           "target",
                           "until",
                           "since",
                           "chat-server.control",
                           "SO_PEERCRED",
                           "0600",
                           "ERR Banned",
                           "BYE Kicked: banned",
                           "--ephemeral"}) {
    EXPECT_NE(page.find(word), std::string::npos) << word;
  }
  for (const char* status : {" 0 Done", " 1 Failure", " 2 Usage error"}) {
    EXPECT_NE(page.find(status), std::string::npos) << status;
  }
}

}  // namespace
}  // namespace chat::test
