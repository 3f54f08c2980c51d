// Private-message requests against a real server: PROTOCOL.md's
// "Private-message requests", every request, push and error phrase,
// --privacy, and what a user's leaving does to invitations and chats.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/two_users.h"

namespace chat::test {
namespace {

class RequestsTest : public TwoUsersTest {
 protected:
  // Alice and Bob; Alice asks first (PRIVACY ask) unless told otherwise.
  void AliceAndBob(bool alice_asks = true) {
    TwoUsersTest::AliceAndBob();
    if (alice_asks) {
      alice_->SendLine("PRIVACY ask");
      ASSERT_TRUE(NextLineIs(*alice_, "OK PRIVACY ask"));
    }
  }
  // Bob invites Alice and she accepts.
  void Accepted() {
    bob_->SendLine("INVITE alice");
    ASSERT_TRUE(NextLineIs(*bob_, "OK INVITE Alice"));
    ASSERT_TRUE(NextLineIs(*alice_, "INVITE Bob"));
    alice_->SendLine("ACCEPT bob");
    ASSERT_TRUE(NextLineIs(*alice_, "OK ACCEPT Bob"));
    ASSERT_TRUE(NextLineIs(*bob_, "ACCEPTED Alice"));
  }
};

TEST_F(RequestsTest, OpenIsTheDefaultAndKeepsVersionOneMesg) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob(false));
  bob_->SendLine("MESG Alice hi");
  EXPECT_TRUE(NextLineIs(*bob_, "OK MESG Alice"));
  EXPECT_TRUE(NextLineIs(*alice_, "MESG Bob hi"));
  alice_->Send("PRIVACY open\nCHATS\n");
  EXPECT_TRUE(NextLinesAre(*alice_, {"OK PRIVACY open", "CHATS"}));
}

TEST_F(RequestsTest, AskRefusesMesgFromSomeoneNotAccepted) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  bob_->SendLine("MESG alice hi");
  EXPECT_TRUE(NextLineIs(*bob_, "ERR Not Accepted: Alice"));
  EXPECT_TRUE(NothingPending(*alice_));
  // One may always write to oneself, and an "ask" user to anyone open.
  alice_->Send("MESG Alice note\nMESG Bob hello\n");
  EXPECT_TRUE(NextLinesAre(
      *alice_, {"MESG Alice note", "OK MESG Alice", "OK MESG Bob"}));
  EXPECT_TRUE(NextLineIs(*bob_, "MESG Alice hello"));
  EXPECT_TRUE(server_->WaitForLog("MESG Bob -> Alice refused: Not Accepted"));
}

TEST_F(RequestsTest, InviteAcceptLetsBothSidesWrite) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  bob_->SendLine("PRIVACY ask");
  ASSERT_TRUE(NextLineIs(*bob_, "OK PRIVACY ask"));
  ASSERT_NO_FATAL_FAILURE(Accepted());
  bob_->SendLine("MESG alice now?");
  EXPECT_TRUE(NextLineIs(*bob_, "OK MESG Alice"));
  EXPECT_TRUE(NextLineIs(*alice_, "MESG Bob now?"));
  alice_->SendLine("MESG bob yes");
  EXPECT_TRUE(NextLineIs(*alice_, "OK MESG Bob"));
  EXPECT_TRUE(NextLineIs(*bob_, "MESG Alice yes"));
  alice_->SendLine("CHATS");
  EXPECT_TRUE(NextLineIs(*alice_, "CHATS Bob"));
  bob_->SendLine("CHATS");
  EXPECT_TRUE(NextLineIs(*bob_, "CHATS Alice"));
  EXPECT_TRUE(server_->WaitForLog("INVITE Bob -> Alice"));
  EXPECT_TRUE(
      server_->WaitForLog("private chat Bob <-> Alice accepted by Alice"));
}

TEST_F(RequestsTest, RejectTellsTheInviterAndUsesTheInvitationUp) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  bob_->SendLine("INVITE Alice");
  ASSERT_TRUE(NextLineIs(*bob_, "OK INVITE Alice"));
  ASSERT_TRUE(NextLineIs(*alice_, "INVITE Bob"));
  alice_->SendLine("REJECT Bob");
  EXPECT_TRUE(NextLineIs(*alice_, "OK REJECT Bob"));
  EXPECT_TRUE(NextLineIs(*bob_, "REJECTED Alice"));
  alice_->Send("ACCEPT Bob\nREJECT Bob\nCHATS\n");
  EXPECT_TRUE(NextLinesAre(
      *alice_, {"ERR No Invitation: Bob", "ERR No Invitation: Bob", "CHATS"}));
  bob_->SendLine("MESG Alice please");
  EXPECT_TRUE(NextLineIs(*bob_, "ERR Not Accepted: Alice"));
  EXPECT_TRUE(server_->WaitForLog("invitation Bob -> Alice rejected by Alice"));
}

TEST_F(RequestsTest, EndByEitherSideTellsTheOtherAndClosesTheChat) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  ASSERT_NO_FATAL_FAILURE(Accepted());
  bob_->SendLine("END alice");
  EXPECT_TRUE(NextLineIs(*bob_, "OK END Alice"));
  EXPECT_TRUE(NextLineIs(*alice_, "ENDED Bob"));
  bob_->Send("END Alice\nCHATS\nMESG Alice hi\n");
  EXPECT_TRUE(NextLinesAre(*bob_, {"ERR No Private Chat: Alice", "CHATS",
                                   "ERR Not Accepted: Alice"}));
  // Again, ended by the other side this time.
  ASSERT_NO_FATAL_FAILURE(Accepted());
  alice_->SendLine("END Bob");
  EXPECT_TRUE(NextLineIs(*alice_, "OK END Bob"));
  EXPECT_TRUE(NextLineIs(*bob_, "ENDED Alice"));
  EXPECT_TRUE(server_->WaitForLog("private chat Bob <-> Alice ended by Bob"));
}

TEST_F(RequestsTest, AnInvitationToAnOpenUserIsDeliveredAndListed) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob(false));
  bob_->SendLine("INVITE Alice");
  EXPECT_TRUE(NextLineIs(*bob_, "OK INVITE Alice"));
  EXPECT_TRUE(NextLineIs(*alice_, "INVITE Bob"));
  alice_->Send("ACCEPT Bob\nCHATS\n");
  EXPECT_TRUE(NextLinesAre(*alice_, {"OK ACCEPT Bob", "CHATS Bob"}));
  EXPECT_TRUE(NextLineIs(*bob_, "ACCEPTED Alice"));
}

TEST_F(RequestsTest, AnInvitationLapsesWhenTheInviterLeaves) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  bob_->SendLine("INVITE Alice");
  ASSERT_TRUE(NextLineIs(*bob_, "OK INVITE Alice"));
  ASSERT_TRUE(NextLineIs(*alice_, "INVITE Bob"));
  bob_->SendLine("QUIT");
  ASSERT_TRUE(ClosedAfter(*bob_, {"OK QUIT"}));
  ASSERT_TRUE(NextLineIs(*alice_, "LEFT Bob"));
  // A new Bob is someone else: the old invitation is not his.
  auto new_bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(new_bob, nullptr);
  ASSERT_TRUE(NextLineIs(*alice_, "JOINED Bob"));
  alice_->SendLine("ACCEPT Bob");
  EXPECT_TRUE(NextLineIs(*alice_, "ERR No Invitation: Bob"));
  new_bob->SendLine("MESG Alice hi");
  EXPECT_TRUE(NextLineIs(*new_bob, "ERR Not Accepted: Alice"));
}

TEST_F(RequestsTest, ChatsWithoutAccountsEndWithTheSession) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  ASSERT_NO_FATAL_FAILURE(Accepted());
  bob_->Close();
  ASSERT_TRUE(NextLineIs(*alice_, "LEFT Bob"));
  EXPECT_TRUE(NothingPending(*alice_));  // LEFT says it; no ENDED besides
  alice_->SendLine("CHATS");
  EXPECT_TRUE(NextLineIs(*alice_, "CHATS"));
  auto new_bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(new_bob, nullptr);
  new_bob->SendLine("MESG Alice hi");
  EXPECT_TRUE(NextLineIs(*new_bob, "ERR Not Accepted: Alice"));
  EXPECT_TRUE(server_->WaitForLog(
      "private chats of Bob with Alice ended with the session"));
}

TEST_F(RequestsTest, PrivacyAskAsTheServerDefault) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--privacy", "ask"}));
  ASSERT_NO_FATAL_FAILURE(AliceAndBob(false));
  bob_->SendLine("MESG Alice hi");
  EXPECT_TRUE(NextLineIs(*bob_, "ERR Not Accepted: Alice"));
  alice_->SendLine("PRIVACY open");
  EXPECT_TRUE(NextLineIs(*alice_, "OK PRIVACY open"));
  bob_->SendLine("MESG Alice hi");
  EXPECT_TRUE(NextLineIs(*bob_, "OK MESG Alice"));
  EXPECT_TRUE(NextLineIs(*alice_, "MESG Bob hi"));
}

TEST_F(RequestsTest, EveryErrorPhraseWithItsDetail) {
  ASSERT_NO_FATAL_FAILURE(AliceAndBob());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"INVITE Carol", "ERR Unknown Recipient: Carol"},
      {"INVITE b@d", "ERR Unknown Recipient: b@d"},
      {"ACCEPT Bob", "ERR No Invitation: Bob"},
      {"ACCEPT Nobody", "ERR No Invitation: Nobody"},
      {"REJECT Bob", "ERR No Invitation: Bob"},
      {"END Bob", "ERR No Private Chat: Bob"},
      {"END Nobody", "ERR No Private Chat: Nobody"},
      {"PRIVACY", "ERR Bad Syntax: PRIVACY open|ask"},
      {"PRIVACY closed", "ERR Bad Syntax: PRIVACY open|ask"},
      {"PRIVACY Ask", "ERR Bad Syntax: PRIVACY open|ask"},
      {"INVITE", "ERR Bad Syntax: INVITE <username>"},
      {"INVITE ", "ERR Bad Syntax: INVITE <username>"},
      {"INVITE a b", "ERR Bad Syntax: INVITE <username>"},
      {"ACCEPT", "ERR Bad Syntax: ACCEPT <username>"},
      {"REJECT", "ERR Bad Syntax: REJECT <username>"},
      {"END", "ERR Bad Syntax: END <username>"},
      {"CHATS x", "ERR Bad Syntax: CHATS"},
  };
  for (const auto& [request, answer] : cases) {
    alice_->SendLine(request);
    EXPECT_TRUE(NextLineIs(*alice_, answer)) << "for " << request;
  }
  EXPECT_TRUE(NothingPending(*bob_));
}

TEST_F(RequestsTest, RequestsNeedARegisteredConnection) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send(
      "PRIVACY ask\nINVITE Bob\nACCEPT Bob\nREJECT Bob\nEND Bob\nCHATS\n");
  EXPECT_TRUE(NextLinesAre(*client, std::vector<std::string>(6, kJoinFirst)));
}

}  // namespace
}  // namespace chat::test
