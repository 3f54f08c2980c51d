// Every FILE ABORT reason against a real server, the SIGKILL of either
// worker mid-transfer included, and the error phrases of file transfer.
#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "server/files_support.h"
#include "server/server_children.h"

namespace chat::test {
namespace {

using std::chrono::milliseconds;

// Both sides get FILE ABORT <id> <reason>; the log names the outcome.
void ExpectAbortBoth(FilesTest* test, Connection& alice, Connection& bob,
                     ServerProcess& server, const std::string& id,
                     const std::string& reason) {
  (void)test;
  std::vector<std::string> skipped;
  EXPECT_TRUE(alice.SkipUntil("FILE ABORT " + id + " " + reason, &skipped));
  EXPECT_TRUE(bob.SkipUntil("FILE ABORT " + id + " " + reason, &skipped));
  for (const std::string& line : skipped) {
    EXPECT_TRUE(line.starts_with("FILE DATA ") || line.starts_with("FILE ACK "))
        << line;
  }
  EXPECT_TRUE(server.WaitForLog("file transfer " + id +
                                " Alice -> Bob: ended: aborted (" + reason +
                                ")"));
}

TEST_F(FilesTest, DataBeforeAccept) {
  StartServer();
  AliceAndBob();
  std::string id = Offer(100, kSomeSha);
  alice_->SendLine(DataLine(id, "abc"));
  ExpectAbortBoth(this, *alice_, *bob_, *server_, id, "Data Before Accept");
}

TEST_F(FilesTest, InvalidBase64) {
  StartServer();
  AliceAndBob();
  std::string id = OfferAccepted(100, kSomeSha);
  alice_->SendLine("FILE DATA " + id + " YWJj!");
  ExpectAbortBoth(this, *alice_, *bob_, *server_, id, "Invalid Base64");
}

TEST_F(FilesTest, ChunkWithoutPaddingOrTooBigIsInvalidBase64) {
  StartServer();
  AliceAndBob();
  std::string id = OfferAccepted(100, kSomeSha);
  alice_->SendLine("FILE DATA " + id + " YWI");  // "ab" without its "="
  ExpectAbortBoth(this, *alice_, *bob_, *server_, id, "Invalid Base64");
  id = OfferAccepted(5000, kSomeSha);
  alice_->SendLine(DataLine(id, std::string(3001, 'x')));
  ExpectAbortBoth(this, *alice_, *bob_, *server_, id, "Invalid Base64");
}

TEST_F(FilesTest, PastSize) {
  StartServer();
  AliceAndBob();
  std::string id = OfferAccepted(4, kSomeSha);
  alice_->SendLine(DataLine(id, "abc"));
  ASSERT_TRUE(NextLineIs(*bob_, DataLine(id, "abc")));
  alice_->SendLine(DataLine(id, "de"));
  ExpectAbortBoth(this, *alice_, *bob_, *server_, id, "Past Size");
}

TEST_F(FilesTest, EndBeforeEveryByteIsIncomplete) {
  StartServer();
  AliceAndBob();
  std::string id = OfferAccepted(4, kSomeSha);
  alice_->SendLine(DataLine(id, "abc"));
  alice_->SendLine("FILE END " + id);
  ASSERT_TRUE(NextLinesAre(
      *alice_, {"FILE ABORT " + id + " Incomplete", "OK FILE END " + id}));
  // Chunks not yet written to Bob are dropped with the transfer.
  std::vector<std::string> skipped;
  ASSERT_TRUE(bob_->SkipUntil("FILE ABORT " + id + " Incomplete", &skipped));
  for (const std::string& line : skipped) EXPECT_EQ(line, DataLine(id, "abc"));
}

TEST_F(FilesTest, SenderIgnoringAcksIsStoppedAtTheWindow) {
  StartServer();
  AliceAndBob();
  const std::string file = RandomBytes(2 * kWindow);
  std::string id = OfferAccepted(file.size(), Sha256Hex(file));
  // Bob never acknowledges: one chunk past the window ends it.
  for (size_t at = 0; at < kWindow + kChunk; at += kChunk) {
    alice_->SendLine(DataLine(id, file.substr(at, kChunk)));
  }
  ExpectAbortBoth(this, *alice_, *bob_, *server_, id, "Window Exceeded");
}

TEST_F(FilesTest, AckBeyondWhatArrivedDoesNotOpenTheWindow) {
  StartServer();
  AliceAndBob();
  std::string id = OfferAccepted(100, kSomeSha);
  alice_->SendLine(DataLine(id, "abc"));
  ASSERT_TRUE(NextLineIs(*bob_, DataLine(id, "abc")));
  bob_->SendLine("FILE ACK " + id + " 100");
  // Passed on as what Bob's worker wrote him: 3 bytes.
  EXPECT_TRUE(NextLineIs(*alice_, "FILE ACK " + id + " 3"));
}

TEST_F(FilesTest, OfferTimeout) {
  StartServer({"--file-offer-timeout", "1"});
  AliceAndBob();
  std::string id = Offer(100, kSomeSha);
  ExpectAbortBoth(this, *alice_, *bob_, *server_, id, "Offer Timeout");
}

TEST_F(FilesTest, Stalled) {
  StartServer({"--file-stall-timeout", "1"});
  AliceAndBob();
  std::string id = OfferAccepted(100, kSomeSha);
  alice_->SendLine(DataLine(id, "abc"));
  ASSERT_TRUE(NextLineIs(*bob_, DataLine(id, "abc")));
  ExpectAbortBoth(this, *alice_, *bob_, *server_, id, "Stalled");
}

TEST_F(FilesTest, SenderLeaves) {
  StartServer();
  AliceAndBob();
  std::string id = OfferAccepted(100, kSomeSha);
  alice_->SendLine("QUIT");
  ASSERT_TRUE(NextLineIs(*alice_, "OK QUIT"));
  EXPECT_TRUE(
      NextLinesAre(*bob_, {"FILE ABORT " + id + " Sender Left", "LEFT Alice"}));
}

TEST_F(FilesTest, RecipientLeaves) {
  StartServer();
  AliceAndBob();
  std::string id = Offer(100, kSomeSha);
  bob_->Close();
  EXPECT_TRUE(NextLinesAre(
      *alice_, {"FILE ABORT " + id + " Recipient Left", "LEFT Bob"}));
  EXPECT_TRUE(server_->WaitForLog("file transfer " + id +
                                  " Alice -> Bob: ended: aborted (Recipient "
                                  "Left)"));
}

// Workers in order of connection: Alice's, then Bob's.
class FilesKillTest : public FilesTest,
                      public testing::WithParamInterface<bool> {};

TEST_P(FilesKillTest, SigkillOfAWorkerMidTransferAbortsTheOtherSide) {
  const bool kill_sender = GetParam();
  StartServer();
  AliceAndBob();
  std::vector<pid_t> workers = WorkersOf(server_->pid());
  ASSERT_EQ(workers.size(), 2u);
  const std::string file = RandomBytes(100000);
  std::string id = OfferAccepted(file.size(), Sha256Hex(file));
  alice_->SendLine(DataLine(id, file.substr(0, kChunk)));
  ASSERT_TRUE(NextLineIs(*bob_, DataLine(id, file.substr(0, kChunk))));
  ASSERT_EQ(kill(workers[kill_sender ? 0 : 1], SIGKILL), 0);
  Connection& other = kill_sender ? *bob_ : *alice_;
  std::string reason = kill_sender ? "Sender Left" : "Recipient Left";
  EXPECT_TRUE(NextLinesAre(other, {"FILE ABORT " + id + " " + reason,
                                   kill_sender ? "LEFT Alice" : "LEFT Bob"}));
  // The survivor goes on chatting and may start another transfer.
  other.SendLine("PING after");
  EXPECT_TRUE(NextLineIs(other, "PONG after"));
}

INSTANTIATE_TEST_SUITE_P(EitherSide, FilesKillTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "Sender" : "Recipient";
                         });

TEST_F(FilesTest, FileTooLarge) {
  StartServer({"--max-file-size", "1000"});
  AliceAndBob();
  alice_->SendLine("FILE OFFER Bob 1001 " + kSomeSha + " big.bin");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR File Too Large: 1000 bytes at most"));
  EXPECT_TRUE(NothingPending(*bob_));
  Offer(1000, kSomeSha, "big.bin");
}

TEST_F(FilesTest, TooManyTransfers) {
  StartServer();
  AliceAndBob();
  for (int i = 0; i < 4; ++i) Offer(10, kSomeSha);
  alice_->SendLine("FILE OFFER Bob 10 " + kSomeSha + " fifth");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR Too Many Transfers: 4 open at most"));
  // Bob is a side of four too: Carol cannot offer him a fifth.
  auto carol = ConnectAndJoin(port(), "Carol");
  ASSERT_TRUE(carol);
  carol->SendLine("FILE OFFER Bob 10 " + kSomeSha + " x");
  EXPECT_TRUE(NextLineIs(*carol, "ERR Too Many Transfers: Bob has 4 open"));
}

TEST_F(FilesTest, UnknownTransferAndRecipient) {
  StartServer();
  AliceAndBob();
  for (std::string request :
       {"FILE ACCEPT 77", "FILE REJECT 77", "FILE END 77", "FILE CANCEL 77",
        "FILE DATA 77 YWJj", "FILE ACK 77 3"}) {
    alice_->SendLine(request);
    EXPECT_TRUE(NextLineIs(*alice_, "ERR Unknown Transfer: 77")) << request;
  }
  std::string id = Offer(10, kSomeSha);
  // The sender cannot accept its own offer, nor the recipient END or send it.
  alice_->SendLine("FILE ACCEPT " + id);
  EXPECT_TRUE(NextLineIs(*alice_, "ERR Unknown Transfer: " + id));
  bob_->SendLine("FILE END " + id);
  EXPECT_TRUE(NextLineIs(*bob_, "ERR Unknown Transfer: " + id));
  bob_->SendLine("FILE DATA " + id + " YWJj");
  EXPECT_TRUE(NextLineIs(*bob_, "ERR Unknown Transfer: " + id));
  alice_->SendLine("FILE OFFER Nobody 10 " + kSomeSha + " x");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR Unknown Recipient: Nobody"));
}

TEST_F(FilesTest, BadSyntaxAndUnregistered) {
  StartServer();
  auto stranger = ConnectAndGreet(port());
  ASSERT_TRUE(stranger);
  stranger->SendLine("FILE OFFER Bob 10 " + kSomeSha + " x");
  EXPECT_TRUE(NextLineIs(*stranger,
                         "ERR Unregistered User: send JOIN <username> first"));
  AliceAndBob();
  const std::string offer_form =
      "ERR Bad Syntax: FILE OFFER <username> <size> <sha256> <filename>";
  for (std::string request :
       {"FILE OFFER Bob 10 " + kSomeSha, "FILE OFFER Bob x " + kSomeSha + " a",
        "FILE OFFER Bob 10 " + std::string(64, 'A') + " a",
        "FILE OFFER Bob 10 " + kSomeSha + " a/b",
        "FILE OFFER Bob 10 " + kSomeSha + " ..",
        "FILE OFFER Bob 10 " + kSomeSha + " " + std::string(256, 'n')}) {
    alice_->SendLine(request);
    EXPECT_TRUE(NextLineIs(*alice_, offer_form)) << request;
  }
  alice_->SendLine("FILE");
  EXPECT_TRUE(NextLineIs(
      *alice_,
      "ERR Bad Syntax: FILE OFFER|ACCEPT|REJECT|DATA|ACK|END|CANCEL ..."));
  alice_->SendLine("FILE ACCEPT x");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR Bad Syntax: FILE ACCEPT <id>"));
  alice_->SendLine("FILE ACK 3");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR Bad Syntax: FILE ACK <id> <bytes>"));
  alice_->SendLine("FILE DATA 3");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR Bad Syntax: FILE DATA <id> <base64>"));
}

TEST_F(FilesTest, ZeroByteFileEndsAtOnce) {
  StartServer();
  AliceAndBob();
  std::string sha = Sha256Hex("");
  std::string id = OfferAccepted(0, sha);
  alice_->SendLine("FILE END " + id);
  EXPECT_TRUE(NextLineIs(*alice_, "OK FILE END " + id));
  EXPECT_TRUE(NextLineIs(*bob_, "FILE END " + id));
}

}  // namespace
}  // namespace chat::test
