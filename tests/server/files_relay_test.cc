// File transfer through a real server: a 10 MiB file arrives byte for byte
// while both users chat, chat lines overtake chunks waiting for a slow
// recipient, REJECT, CANCEL from either side, offers to an "ask" user, and
// a recipient that does not read holding its sender back, and file data
// under flood control (its own byte budget, not the line budget).
#include <chrono>
#include <string>
#include <vector>

#include "server/files_support.h"

namespace chat::test {
namespace {

using std::chrono::milliseconds;

// Reads Bob's lines: FILE DATA of transfer `id` appended to *received (and
// acknowledged every `ack_every` bytes), anything else to *other. Returns
// false on FILE END / ABORT (pushed to *other) or when nothing comes within
// `timeout`.
bool ReadChunks(Connection& bob, const std::string& id, std::string* received,
                std::vector<std::string>* other, milliseconds timeout,
                size_t ack_every = 16 * 1024, uint64_t* acked = nullptr) {
  auto line = bob.ReadLine(timeout);
  if (!line) return false;
  const std::string prefix = "FILE DATA " + id + " ";
  if (line->starts_with(prefix)) {
    *received += Unbase64(std::string_view(*line).substr(prefix.size()));
    if (acked && received->size() - *acked >= ack_every) {
      *acked = received->size();
      bob.SendLine("FILE ACK " + id + " " + std::to_string(*acked));
    }
    return true;
  }
  other->push_back(*line);
  return !line->starts_with("FILE END ") && !line->starts_with("FILE ABORT ");
}

// Alice sends `file` from byte `sent` on, as far as her window allows, and
// Bob reads and acknowledges every 32 KiB, until Bob has it all. Alice goes
// by the ACKs the server passes on to her, as a client does: Bob's own
// count may be ahead of what the server has taken in, and a chunk sent on
// it could overrun the window the server enforces. With her window full
// and all she sent read by Bob, she waits for his last ACK.
void TransferPacedByAcks(Connection& alice, Connection& bob,
                         const std::string& id, const std::string& file,
                         size_t sent, std::string* received,
                         std::vector<std::string>* other) {
  uint64_t bob_acked = 0;    // what Bob acknowledged
  uint64_t alice_acked = 0;  // what the server told Alice of it
  const std::string ack = "FILE ACK " + id + " ";
  const auto deadline = std::chrono::steady_clock::now() + kEventTimeout * 4;
  while (received->size() < file.size()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << received->size() << " of " << file.size();
    while (sent < file.size() && sent - alice_acked + kChunk <= kWindow) {
      size_t length = std::min(kChunk, file.size() - sent);
      ASSERT_TRUE(alice.SendLine(DataLine(id, file.substr(sent, length))));
      sent += length;
    }
    if (received->size() < sent) {
      ASSERT_TRUE(ReadChunks(bob, id, received, other, kEventTimeout, 32 * 1024,
                             &bob_acked))
          << received->size() << " " << testing::PrintToString(*other);
    }
    const bool wait = sent < file.size() &&
                      sent - alice_acked + kChunk > kWindow &&
                      received->size() == sent && alice_acked < bob_acked;
    auto line = alice.ReadLine(wait ? kEventTimeout : milliseconds(0));
    for (; line; line = alice.ReadLine(milliseconds(0))) {
      ASSERT_TRUE(line->starts_with(ack)) << *line;
      alice_acked = std::stoull(line->substr(ack.size()));
    }
  }
}

TEST_F(FilesTest, TenMibArrivesByteForByteWhileBothChat) {
  StartServer();
  AliceAndBob();
  const std::string file = RandomBytes(10 * 1024 * 1024);
  const std::string sha = Sha256Hex(file);
  const std::string id = OfferAccepted(file.size(), sha);

  size_t sent = 0;
  uint64_t acked_by_server = 0, acked_by_bob = 0;
  std::string received;
  std::vector<std::string> bob_other, alice_other;
  int alice_said = 0, bob_said = 0;
  // Where in Bob's stream of chunks each of Alice's lines arrived.
  std::vector<size_t> alice_lines_at;
  bool ended = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ended && std::chrono::steady_clock::now() < deadline) {
    // Alice: as much as the window allows, a chat line every 64 chunks.
    while (sent < file.size() && sent - acked_by_server + kChunk <= kWindow) {
      size_t length = std::min(kChunk, file.size() - sent);
      ASSERT_TRUE(alice_->SendLine(DataLine(id, file.substr(sent, length))));
      sent += length;
      if ((sent / kChunk) % 64 == 0) {
        ASSERT_TRUE(
            alice_->SendLine("MESG Bob line " + std::to_string(++alice_said)));
      }
      if (sent == file.size()) alice_->SendLine("FILE END " + id);
    }
    // Bob: whatever came, a chat line back every 64 chunks.
    while (ReadChunks(*bob_, id, &received, &bob_other, milliseconds(0),
                      16 * 1024, &acked_by_bob)) {
      if (!bob_other.empty() && bob_other.back().starts_with("MESG Alice")) {
        alice_lines_at.push_back(received.size());
        bob_other.pop_back();
      }
      if (received.size() / kChunk % 64 == 0 && !received.empty() &&
          received.size() % kChunk == 0) {
        bob_->SendLine("MESG Alice reply " + std::to_string(++bob_said));
      }
    }
    if (!bob_other.empty() && bob_other.back().starts_with("FILE END")) {
      ended = true;
    }
    // Alice: ACKs and Bob's lines.
    while (auto line = alice_->ReadLine(
               milliseconds(received.size() < file.size() ? 1 : 0))) {
      if (line->starts_with("FILE ACK " + id + " ")) {
        acked_by_server = std::stoull(line->substr(10 + id.size()));
      } else {
        alice_other.push_back(*line);
      }
    }
  }
  ASSERT_TRUE(ended) << received.size() << " bytes received";
  EXPECT_EQ(bob_other.back(), "FILE END " + id);
  EXPECT_EQ(received.size(), file.size());
  EXPECT_EQ(Sha256Hex(received), sha);
  // Every chat line arrived, and while the file was still coming: they
  // were interleaved, not queued behind it.
  ASSERT_EQ(static_cast<int>(alice_lines_at.size()), alice_said);
  EXPECT_GT(alice_said, 10);
  EXPECT_LT(alice_lines_at.front(), file.size() / 2);
  int replies = 0;
  for (const std::string& line : alice_other) {
    if (line.starts_with("MESG Bob reply ")) ++replies;
  }
  EXPECT_GT(bob_said, 10);
  // Bob's replies reached Alice before her transfer ended or soon after.
  bool ok_end = false;
  for (const std::string& line : alice_other) {
    if (line == "OK FILE END " + id) ok_end = true;
  }
  EXPECT_TRUE(ok_end);
  while (replies < bob_said) {
    auto line = alice_->ReadLine();
    ASSERT_TRUE(line);
    if (line->starts_with("MESG Bob reply ")) ++replies;
  }
  EXPECT_TRUE(server_->WaitForLog("file transfer " + id +
                                  " Alice -> Bob: ended: complete (10485760 "
                                  "bytes)"));
}

TEST_F(FilesTest, ChatLineOvertakesChunksWaitingForASlowRecipient) {
  // Small kernel buffers towards Bob, so that chunks he does not read wait
  // in his worker rather than in the kernel.
  StartServer({"--send-queue", "65536"});
  alice_ = ConnectAndJoin(port(), "Alice");
  bob_ = Connection::Open(port());
  ASSERT_TRUE(bob_);
  bob_->SetReceiveBuffer(16384);
  ASSERT_TRUE(bob_->ReadLine());  // HELLO
  bob_->SendLine("JOIN Bob");
  ASSERT_TRUE(NextLineIs(*bob_, "OK JOIN Bob"));
  ASSERT_TRUE(NextLineIs(*alice_, "JOINED Bob"));
  const std::string file = RandomBytes(kWindow);
  const std::string id = OfferAccepted(file.size(), Sha256Hex(file));
  // A whole window, which Bob does not read yet.
  for (size_t at = 0; at < file.size(); at += kChunk) {
    ASSERT_TRUE(alice_->SendLine(DataLine(id, file.substr(at, kChunk))));
  }
  // PING's answer means every chunk before it reached the server.
  alice_->SendLine("PING sent");
  ASSERT_TRUE(NextLineIs(*alice_, "PONG sent"));
  alice_->SendLine("MESG Bob are you there?");
  ASSERT_TRUE(NextLineIs(*alice_, "OK MESG Bob"));
  std::string received;
  std::vector<std::string> other;
  while (other.empty() &&
         ReadChunks(*bob_, id, &received, &other, kEventTimeout, kWindow)) {
  }
  ASSERT_EQ(other, std::vector<std::string>{"MESG Alice are you there?"});
  // Behind the line: most of the window, which waited in Bob's worker.
  EXPECT_LT(received.size(), file.size() / 2);
  while (received.size() < file.size() &&
         ReadChunks(*bob_, id, &received, &other, kEventTimeout)) {
  }
  EXPECT_EQ(received, file);
}

TEST_F(FilesTest, RejectTellsTheSender) {
  StartServer();
  AliceAndBob();
  std::string id = Offer(10, kSomeSha);
  bob_->SendLine("FILE REJECT " + id);
  EXPECT_TRUE(NextLineIs(*bob_, "OK FILE REJECT " + id));
  EXPECT_TRUE(NextLineIs(*alice_, "FILE REJECT " + id));
  bob_->SendLine("FILE ACCEPT " + id);
  EXPECT_TRUE(NextLineIs(*bob_, "ERR Unknown Transfer: " + id));
  EXPECT_TRUE(NothingPending(*alice_));
  EXPECT_TRUE(server_->WaitForLog("file transfer " + id +
                                  " Alice -> Bob: ended: rejected"));
}

TEST_F(FilesTest, SenderCancelsAnOffer) {
  StartServer();
  AliceAndBob();
  std::string id = Offer(10, kSomeSha);
  alice_->SendLine("FILE CANCEL " + id);
  EXPECT_TRUE(NextLineIs(*alice_, "OK FILE CANCEL " + id));
  EXPECT_TRUE(NextLineIs(*bob_, "FILE ABORT " + id + " Cancelled"));
  EXPECT_TRUE(NothingPending(*alice_));
}

TEST_F(FilesTest, RecipientCancelsMidTransfer) {
  StartServer();
  AliceAndBob();
  const std::string file = RandomBytes(10000);
  std::string id = OfferAccepted(file.size(), Sha256Hex(file));
  alice_->SendLine(DataLine(id, file.substr(0, kChunk)));
  ASSERT_TRUE(NextLineIs(*bob_, DataLine(id, file.substr(0, kChunk))));
  bob_->SendLine("FILE CANCEL " + id);
  EXPECT_TRUE(NextLineIs(*bob_, "OK FILE CANCEL " + id));
  EXPECT_TRUE(NextLineIs(*alice_, "FILE ABORT " + id + " Cancelled"));
  // Chunks Alice sent before she saw it are dropped without a word.
  alice_->SendLine(DataLine(id, file.substr(kChunk, kChunk)));
  EXPECT_TRUE(NothingPending(*alice_));
  EXPECT_TRUE(NothingPending(*bob_));
}

TEST_F(FilesTest, OfferToAnAskUserNeedsAcceptance) {
  StartServer();
  AliceAndBob();
  bob_->SendLine("PRIVACY ask");
  ASSERT_TRUE(NextLineIs(*bob_, "OK PRIVACY ask"));
  alice_->SendLine("FILE OFFER bob 10 " + kSomeSha + " a.txt");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR Not Accepted: Bob"));
  EXPECT_TRUE(NothingPending(*bob_));
  alice_->SendLine("INVITE Bob");
  ASSERT_TRUE(NextLineIs(*alice_, "OK INVITE Bob"));
  ASSERT_TRUE(NextLineIs(*bob_, "INVITE Alice"));
  bob_->SendLine("ACCEPT Alice");
  ASSERT_TRUE(NextLineIs(*bob_, "OK ACCEPT Alice"));
  ASSERT_TRUE(NextLineIs(*alice_, "ACCEPTED Bob"));
  Offer(10, kSomeSha, "a.txt");
}

TEST_F(FilesTest, RecipientThatDoesNotReadHoldsTheSenderBack) {
  StartServer();
  AliceAndBob();
  const std::string file = RandomBytes(4 * kWindow);
  const std::string id = OfferAccepted(file.size(), Sha256Hex(file));
  // A full window: the most Alice may send without an ACK.
  size_t sent = 0;
  for (; sent + kChunk <= kWindow; sent += kChunk) {
    ASSERT_TRUE(alice_->SendLine(DataLine(id, file.substr(sent, kChunk))));
  }
  // Bob reads nothing: no ACK comes, Alice waits, and Bob is not dropped.
  EXPECT_TRUE(NothingPending(*alice_));
  bob_->SendLine("PING still here");  // answered once he reads
  EXPECT_TRUE(NothingPending(*alice_));
  // Bob reads and acknowledges all; the transfer goes on to its end.
  std::string received;
  std::vector<std::string> other;
  ASSERT_NO_FATAL_FAILURE(
      TransferPacedByAcks(*alice_, *bob_, id, file, sent, &received, &other));
  EXPECT_EQ(other, std::vector<std::string>{"PONG still here"});
  EXPECT_EQ(received, file);
}

// Flood control counts FILE DATA and FILE ACK by their bytes, not as lines:
// with three lines for each user and a hundredth of a line a second after
// that, a transfer of 140 chunks (and its ACKs) goes through, while the
// line budget still holds chat lines back.
TEST_F(FilesTest, FileDataHasItsOwnBudgetUnderFloodControl) {
  StartServer({"--limit-loopback", "--flood", "3:0.01"});
  AliceAndBob();  // a line each
  const std::string file = RandomBytes(140 * kChunk, 7);
  const std::string id = OfferAccepted(file.size(), Sha256Hex(file));
  // Alice: JOIN and OFFER spent; Bob: JOIN and ACCEPT. One line left each.
  std::string received;
  std::vector<std::string> other;
  ASSERT_NO_FATAL_FAILURE(
      TransferPacedByAcks(*alice_, *bob_, id, file, 0, &received, &other));
  EXPECT_EQ(received, file);
  ASSERT_TRUE(alice_->SendLine("FILE END " + id));
  EXPECT_TRUE(bob_->SkipUntil("FILE END " + id));
  EXPECT_TRUE(alice_->SkipUntil("OK FILE END " + id));
  // FILE END was Alice's last line of budget: her next line waits, while
  // Bob, with one left, is answered.
  alice_->SendLine("PING held");
  bob_->SendLine("PING bob");
  EXPECT_TRUE(bob_->SkipUntil("PONG bob"));
  EXPECT_EQ(alice_->ReadLine(milliseconds(300)), std::nullopt);
}

}  // namespace
}  // namespace chat::test
