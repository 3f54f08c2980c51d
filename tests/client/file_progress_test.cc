// File transfer on a terminal: the real client on a pseudo-terminal sends a
// file to a raw-socket user through a real server; while the recipient's
// ACKs come slowly a progress bar with the rate and what is left is drawn,
// and the end of the transfer is said. Skipped while the server does not
// know FILE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "file_test_support.h"
#include "support/connection.h"
#include "support/pty_process.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

TEST(FileProgressTest, TerminalShowsAProgressBarWhileTheFileMoves) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  const std::string why = WhyNoFileTransfer(server->port());
  if (!why.empty()) GTEST_SKIP() << why;
  const std::string dir = MakeTempDir();
  const std::string content = RandomBytes(1024 * 1024, 9);
  WriteFile(dir + "/big.bin", content);

  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_NE(bob, nullptr);
  PtyProcess::Options options;
  options.env = {"TERM=xterm", "HOME=/nonexistent", "NO_COLOR=1"};
  auto alice = PtyProcess::Start(
      ProgramPath("client"),
      {"127.0.0.1", std::to_string(server->port()), "--user", "Alice"},
      options);
  ASSERT_TRUE(alice->WaitFor("Alice joined!"));
  alice->Type("/send Bob " + dir + "/big.bin\r");
  std::optional<std::string> offer;
  for (int i = 0; i < 10 && !(offer && offer->starts_with("FILE OFFER")); ++i) {
    offer = bob->ReadLine();
  }
  ASSERT_TRUE(offer);
  const std::string id = PushedOfferId(*offer);
  bob->SendLine("FILE ACCEPT " + id);
  ASSERT_TRUE(bob->SkipUntil("OK FILE ACCEPT " + id));

  // Half the window acknowledged, then a pause: the bar shows it.
  std::string received;
  while (const auto line = bob->ReadLine(std::chrono::milliseconds(500))) {
    const auto chunk = DataChunk(*line);
    ASSERT_TRUE(chunk) << *line;
    received += *chunk;
  }
  bob->SendLine("FILE ACK " + id + " 150000");
  const auto bar = alice->WaitFor("14% 146.5 KiB of 1.0 MiB");
  ASSERT_TRUE(bar) << alice->screen();
  const std::string& screen = alice->screen();
  const size_t start = screen.rfind('\n', *bar);
  const size_t end = screen.find('\n', *bar);
  ASSERT_NE(start, std::string::npos);
  const std::string drawn = screen.substr(start, end - start);
  EXPECT_THAT(drawn, ::testing::HasSubstr("[##"));
  EXPECT_THAT(drawn, ::testing::HasSubstr("/s, "));  // the rate
  EXPECT_THAT(drawn, ::testing::HasSubstr(" s left"));

  // The rest, acknowledged as it comes; then the line that says it is over.
  while (received.size() < content.size()) {
    const auto line = bob->ReadLine();
    ASSERT_TRUE(line) << "only " << received.size() << " bytes came";
    const auto chunk = DataChunk(*line);
    ASSERT_TRUE(chunk) << *line;
    received += *chunk;
    bob->SendLine("FILE ACK " + id + " " + std::to_string(received.size()));
  }
  EXPECT_TRUE(bob->SkipUntil("FILE END " + id));
  EXPECT_EQ(received, content);
  EXPECT_TRUE(alice->WaitFor("Sent big.bin to Bob (1.0 MiB)", *bar))
      << alice->screen();
  alice->Type("/quit\r");
  EXPECT_TRUE(alice->Wait());
  RemoveTree(dir);
}

}  // namespace
}  // namespace chat::test
