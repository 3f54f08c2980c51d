// File transfer through the real ./client and ./server: a file with random
// content arrives byte for byte under its own name (never over an existing
// file), a declined offer sends nothing, a cancelled or corrupted transfer
// leaves nothing behind. Raw-socket peers check what the client put on the
// wire. Skipped, saying so, while the server does not know FILE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client_process.h"
#include "file_test_support.h"
#include "support/connection.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// The id in "... /get 7 or /decline 7".
std::string OfferId(const std::string& line) {
  const size_t at = line.find("/get ");
  if (at == std::string::npos) return "";
  const size_t start = at + 5;
  return line.substr(start, line.find(' ', start) - start);
}

class FileTransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
    const std::string why = WhyNoFileTransfer(port());
    if (!why.empty()) GTEST_SKIP() << why;
    in_ = MakeTempDir();
    out_ = MakeTempDir();
  }
  void TearDown() override {
    if (!in_.empty()) RemoveTree(in_);
    if (!out_.empty()) RemoveTree(out_);
  }
  uint16_t port() const { return server_->port(); }

  // A client for `name` saving into out_, once it has joined.
  std::unique_ptr<Subprocess> StartJoined(const std::string& name) {
    auto client = StartClient(port(), {"--user", name, "--download-dir", out_});
    EXPECT_TRUE(client->WaitForStdout(name + " joined!"));
    return client;
  }

  std::unique_ptr<ServerProcess> server_;
  std::string in_;
  std::string out_;
};

TEST_F(FileTransferTest, FileArrivesByteForByteBesideAnExistingOneOfItsName) {
  const std::string content = RandomBytes(3 * 1024 * 1024 + 1234, 12);
  WriteFile(in_ + "/report data.bin", content);
  WriteFile(out_ + "/report data.bin", "an older file");

  auto bob = StartJoined("Bob");
  auto alice = StartJoined("Alice");
  ASSERT_TRUE(alice->WriteStdin("/send Bob " + in_ + "/report data.bin\n"));
  alice->CloseStdin();  // a script: it waits for the transfer, then quits

  const auto offer = bob->WaitForStdout("Alice offers report data.bin");
  ASSERT_TRUE(offer);
  EXPECT_THAT(*offer, HasSubstr("(3.0 MiB)"));
  ASSERT_TRUE(bob->WriteStdin("/get " + OfferId(*offer) + "\n"));
  bob->CloseStdin();

  const auto saved = bob->WaitForStdout("Received report data.bin from Alice");
  ASSERT_TRUE(saved);
  EXPECT_THAT(*saved, HasSubstr("report data (1).bin"));
  EXPECT_THAT(*saved, HasSubstr("SHA-256 checked"));
  EXPECT_TRUE(alice->WaitForStdout("Sent report data.bin to Bob"));
  EXPECT_EQ(ExitCode(*alice), 0);
  EXPECT_EQ(ExitCode(*bob), 0);

  EXPECT_EQ(ReadFile(out_ + "/report data (1).bin"), content);
  EXPECT_EQ(ReadFile(out_ + "/report data.bin"), "an older file");
  // No temporary file is left behind.
  EXPECT_THAT(DirectoryNames(out_),
              UnorderedElementsAre("report data.bin", "report data (1).bin"));
}

TEST_F(FileTransferTest, DeclinedOfferSendsNothing) {
  WriteFile(in_ + "/secret.txt", "not for you");
  auto bob = StartJoined("Bob");
  auto alice = StartJoined("Alice");
  ASSERT_TRUE(alice->WriteStdin("/send Bob " + in_ + "/secret.txt\n"));
  alice->CloseStdin();
  const auto offer = bob->WaitForStdout("Alice offers secret.txt");
  ASSERT_TRUE(offer);
  ASSERT_TRUE(bob->WriteStdin("/files\n"));
  const auto listed = bob->WaitForStdout("secret.txt from Alice");
  ASSERT_TRUE(listed);
  EXPECT_THAT(*listed, HasSubstr("(11 B): offered to you: /get " +
                                 OfferId(*offer) + " or /decline"));
  ASSERT_TRUE(bob->WriteStdin("/decline " + OfferId(*offer) + "\n"));
  EXPECT_TRUE(bob->WaitForStdout("Declined secret.txt from Alice"));
  EXPECT_TRUE(alice->WaitForStdout("Bob declined secret.txt"));
  EXPECT_EQ(ExitCode(*alice), 0);
  bob->CloseStdin();
  EXPECT_EQ(ExitCode(*bob), 0);
  EXPECT_THAT(DirectoryNames(out_), IsEmpty());
}

TEST_F(FileTransferTest, SenderKeepsToTheWindowAndCancelsWhenTold) {
  // Bob is a raw socket that accepts and never acknowledges: the client
  // must stop at 256 KiB; then /cancel reaches Bob as an ABORT.
  const std::string content = RandomBytes(1024 * 1024, 3);
  WriteFile(in_ + "/big.bin", content);
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  auto alice = StartJoined("Alice");
  ASSERT_TRUE(alice->WriteStdin("/send Bob " + in_ + "/big.bin\n"));
  std::optional<std::string> offer;
  for (int i = 0; i < 10 && !(offer && offer->starts_with("FILE OFFER")); ++i) {
    offer = bob->ReadLine();
  }
  ASSERT_TRUE(offer);
  EXPECT_EQ(*offer, "FILE OFFER Alice " + PushedOfferId(*offer) + " 1048576 " +
                        Sha256Hex(content) + " big.bin");
  const std::string id = PushedOfferId(*offer);
  bob->SendLine("FILE ACCEPT " + id);
  EXPECT_EQ(bob->ReadLine(), "OK FILE ACCEPT " + id);
  std::string received;
  // Chunks come until the window is full; then nothing more comes.
  while (const auto line = bob->ReadLine(std::chrono::milliseconds(500))) {
    ASSERT_TRUE(line->starts_with("FILE DATA " + id + " ")) << *line;
    const auto chunk = DataChunk(*line);
    ASSERT_TRUE(chunk) << "not valid Base64: " << *line;
    EXPECT_LE(chunk->size(), 3000u);
    received += *chunk;
  }
  EXPECT_EQ(received, content.substr(0, received.size()));
  EXPECT_LE(received.size(), 256u * 1024);
  EXPECT_GT(received.size(), 256u * 1024 - 3000);
  ASSERT_TRUE(alice->WriteStdin("/cancel " + id + "\n"));
  EXPECT_EQ(bob->ReadLine(), "FILE ABORT " + id + " Cancelled");
  EXPECT_TRUE(alice->WaitForStdout("Cancelled big.bin to Bob"));
  alice->CloseStdin();
  EXPECT_EQ(ExitCode(*alice), 0);
}

TEST_F(FileTransferTest, CancelledOrCorruptTransferLeavesNoFile) {
  auto bob = StartJoined("Bob");
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  const std::string content = RandomBytes(10000, 5);
  auto offer_and_accept = [&](const std::string& sha,
                              const std::string& name) -> std::string {
    alice->SendLine("FILE OFFER Bob 10000 " + sha + " " + name);
    std::vector<std::string> skipped;
    auto ok = alice->ReadLine();
    while (ok && !ok->starts_with("OK FILE OFFER ")) ok = alice->ReadLine();
    EXPECT_TRUE(ok);
    if (!ok) return "";
    const std::string id = ok->substr(14);
    const auto shown = bob->WaitForStdout("Alice offers " + name);
    EXPECT_TRUE(shown);
    EXPECT_EQ(OfferId(shown.value_or("")), id);
    bob->WriteStdin("/get " + id + "\n");
    EXPECT_TRUE(alice->SkipUntil("FILE ACCEPT " + id));
    return id;
  };

  // Cancelled by the sender half way.
  const std::string first = offer_and_accept(Sha256Hex(content), "half.bin");
  alice->SendLine("FILE DATA " + first + " " + Base64(content.substr(0, 3000)));
  EXPECT_TRUE(alice->SkipUntil("FILE ACK " + first + " 3000"));
  alice->SendLine("FILE CANCEL " + first);
  const auto aborted = bob->WaitForStdout("aborted");
  ASSERT_TRUE(aborted);
  EXPECT_THAT(*aborted, HasSubstr("half.bin from Alice"));
  EXPECT_THAT(*aborted, HasSubstr("Cancelled"));

  // Every byte sent, but not the bytes offered: not kept.
  const std::string second =
      offer_and_accept(Sha256Hex(std::string(10000, 'x')), "wrong.bin");
  for (size_t at = 0; at < content.size(); at += 3000) {
    alice->SendLine("FILE DATA " + second + " " +
                    Base64(content.substr(at, 3000)));
  }
  alice->SendLine("FILE END " + second);
  const auto refused = bob->WaitForStdout("Not kept: wrong.bin from Alice");
  ASSERT_TRUE(refused);
  EXPECT_THAT(*refused, HasSubstr("SHA-256"));

  bob->CloseStdin();
  EXPECT_EQ(ExitCode(*bob), 0);
  EXPECT_THAT(DirectoryNames(out_), IsEmpty());
}

TEST_F(FileTransferTest, SenderLeavingMidwayIsSaidAndLeavesNoFile) {
  auto bob = StartJoined("Bob");
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  const std::string content = RandomBytes(9000, 8);
  alice->SendLine("FILE OFFER Bob 9000 " + Sha256Hex(content) + " part.bin");
  std::optional<std::string> ok;
  for (int i = 0; i < 10 && !(ok && ok->starts_with("OK FILE OFFER ")); ++i) {
    ok = alice->ReadLine();
  }
  ASSERT_TRUE(ok);
  const std::string id = ok->substr(14);
  ASSERT_TRUE(bob->WaitForStdout("Alice offers part.bin"));
  bob->WriteStdin("/get " + id + "\n");
  ASSERT_TRUE(alice->SkipUntil("FILE ACCEPT " + id));
  alice->SendLine("FILE DATA " + id + " " + Base64(content.substr(0, 3000)));
  ASSERT_TRUE(alice->SkipUntil("FILE ACK " + id + " 3000"));
  alice->Close();  // gone without a word

  const auto aborted = bob->WaitForStdout("aborted");
  ASSERT_TRUE(aborted);
  EXPECT_THAT(*aborted, HasSubstr("part.bin from Alice"));
  EXPECT_THAT(*aborted, HasSubstr("Sender Left (the sender left)"));
  bob->CloseStdin();
  EXPECT_EQ(ExitCode(*bob), 0);
  EXPECT_THAT(DirectoryNames(out_), IsEmpty());
}

}  // namespace
}  // namespace chat::test
