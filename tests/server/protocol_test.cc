// The line protocol against a real server: every request, answer and error
// phrase of PROTOCOL.md, framing (CRLF, 4096-byte lines, invalid text, empty
// lines) and ordering (pipelining, BCST answered before what follows it).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

const std::string kJoinFirst =
    "ERR Unregistered User: send JOIN <username> first";

class ProtocolTest : public testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
  }
  uint16_t port() const { return server_->port(); }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ProtocolTest, HelloIsTheFirstLine) {
  auto client = Connection::Open(port());
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(
      NextLineIs(*client, "HELLO chat-server 1.0; send JOIN <username>"));
}

// The example session of PROTOCOL.md, line for line.
TEST_F(ProtocolTest, DocumentedExampleRunsAsWritten) {
  auto alice = ConnectAndGreet(port());
  ASSERT_NE(alice, nullptr);
  alice->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*alice, kJoinFirst));
  alice->SendLine("JOIN Alice");
  EXPECT_TRUE(NextLineIs(*alice, "OK JOIN Alice"));

  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_NE(bob, nullptr);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));

  alice->SendLine("MESG bob How are you?");
  EXPECT_TRUE(NextLineIs(*alice, "OK MESG Bob"));
  EXPECT_TRUE(NextLineIs(*bob, "MESG Alice How are you?"));
  bob->SendLine("MESG Alice Fine, thanks");
  EXPECT_TRUE(NextLineIs(*bob, "OK MESG Alice"));
  EXPECT_TRUE(NextLineIs(*alice, "MESG Bob Fine, thanks"));

  alice->SendLine("BCST Hello");
  EXPECT_TRUE(NextLineIs(*alice, "OK BCST 1"));
  EXPECT_TRUE(NextLineIs(*bob, "BCST Alice Hello"));
  alice->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*alice, "LIST Alice,Bob"));
  alice->SendLine("FOO");
  EXPECT_TRUE(NextLineIs(*alice, "ERR Unknown Message: FOO"));

  bob->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*bob, {"OK QUIT"}));
  EXPECT_TRUE(NextLineIs(*alice, "LEFT Bob"));
  alice->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*alice, {"OK QUIT"}));
}

TEST_F(ProtocolTest, ListMesgBcstBeforeJoinAreUnregisteredUser) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("LIST\nMESG bob hi\nBCST hi\n");
  EXPECT_TRUE(NextLinesAre(*client, {kJoinFirst, kJoinFirst, kJoinFirst}));
  EXPECT_TRUE(NothingPending(*client));
}

TEST_F(ProtocolTest, PingIsAnsweredBeforeJoinWithAndWithoutToken) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("PING\nPING abc\nPING two words\n");
  EXPECT_TRUE(NextLinesAre(*client, {"PONG", "PONG abc", "PONG two words"}));
}

TEST_F(ProtocolTest, QuitBeforeJoinIsAnsweredAndCloses) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->SendLine("QUIT");
  EXPECT_TRUE(ClosedAfter(*client, {"OK QUIT"}));
}

TEST_F(ProtocolTest, SecondJoinIsAlreadyRegisteredWithTheOwnName) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  alice->Send("JOIN Alice\nJOIN Bob\n");
  EXPECT_TRUE(NextLinesAre(*alice, {"ERR Already Registered: Alice",
                                    "ERR Already Registered: Alice"}));
  alice->SendLine("LIST");
  EXPECT_TRUE(NextLineIs(*alice, "LIST Alice"));
}

TEST_F(ProtocolTest, BadSyntaxGivesTheCorrectForm) {
  auto client = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(client, nullptr);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"JOIN", "ERR Bad Syntax: JOIN <username>"},
      {"JOIN ", "ERR Bad Syntax: JOIN <username>"},
      {"MESG", "ERR Bad Syntax: MESG <username> <text>"},
      {"MESG Alice", "ERR Bad Syntax: MESG <username> <text>"},
      {"MESG Alice ", "ERR Bad Syntax: MESG <username> <text>"},
      {"MESG  Alice hi", "ERR Bad Syntax: MESG <username> <text>"},
      {"BCST", "ERR Bad Syntax: BCST <text>"},
      {"BCST ", "ERR Bad Syntax: BCST <text>"},
      {"LIST all", "ERR Bad Syntax: LIST"},
      {"QUIT now", "ERR Bad Syntax: QUIT"},
      {"PING ", "ERR Bad Syntax: PING [<token>]"},
  };
  for (const auto& [request, answer] : cases) {
    client->SendLine(request);
    EXPECT_TRUE(NextLineIs(*client, answer))
        << "request: \"" << request << "\"";
  }
  EXPECT_TRUE(NothingPending(*client));
}

TEST_F(ProtocolTest, BadSyntaxComesBeforeTheRegistrationCheck) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("MESG Alice\nBCST \nLIST x\n");
  EXPECT_TRUE(NextLinesAre(
      *client, {"ERR Bad Syntax: MESG <username> <text>",
                "ERR Bad Syntax: BCST <text>", "ERR Bad Syntax: LIST"}));
}

TEST_F(ProtocolTest, UnknownVerbIsUnknownMessageNamingTheVerb) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("FOO\njoin Alice\nHELLO there you\nPing\n");
  EXPECT_TRUE(NextLinesAre(
      *client, {"ERR Unknown Message: FOO", "ERR Unknown Message: join",
                "ERR Unknown Message: HELLO", "ERR Unknown Message: Ping"}));
}

TEST_F(ProtocolTest, UsernameRuleIsEnforced) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  const std::string longest(32, 'x');
  client->Send("JOIN Al!ce\nJOIN " + longest +
               "y\nJOIN Al ice\nJOIN \xc3\xa9mile\n");
  EXPECT_TRUE(NextLinesAre(
      *client,
      {"ERR Invalid Username: Al!ce", "ERR Invalid Username: " + longest + "y",
       "ERR Invalid Username: Al ice", "ERR Invalid Username: \xc3\xa9mile"}));
  client->SendLine("JOIN " + longest);
  EXPECT_TRUE(NextLineIs(*client, "OK JOIN " + longest));
}

TEST_F(ProtocolTest, UsernamesAreUniqueWithoutRegardToCase) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  auto other = ConnectAndGreet(port());
  ASSERT_NE(other, nullptr);
  other->Send("JOIN alice\nJOIN ALICE\nJOIN Alice\n");
  EXPECT_TRUE(NextLinesAre(
      *other, {"ERR Username Taken: alice", "ERR Username Taken: ALICE",
               "ERR Username Taken: Alice"}));
  other->SendLine("JOIN Alice2");
  EXPECT_TRUE(NextLineIs(*other, "OK JOIN Alice2"));
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Alice2"));
}

TEST_F(ProtocolTest, RecipientIsFoundWithoutRegardToCaseAndShownAsRegistered) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  alice->Send("MESG bob hi\nMESG BOB again\n");
  EXPECT_TRUE(NextLinesAre(*alice, {"OK MESG Bob", "OK MESG Bob"}));
  EXPECT_TRUE(NextLinesAre(*bob, {"MESG Alice hi", "MESG Alice again"}));
}

TEST_F(ProtocolTest, MesgToUnknownNameIsUnknownRecipientNamingIt) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  alice->Send("MESG Carol hi\nMESG b@d hi\n");
  EXPECT_TRUE(NextLinesAre(
      *alice, {"ERR Unknown Recipient: Carol", "ERR Unknown Recipient: b@d"}));
}

TEST_F(ProtocolTest, MesgToOneselfIsDelivered) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("MESG alice note to self");
  EXPECT_TRUE(
      NextLinesAre(*alice, {"MESG Alice note to self", "OK MESG Alice"}));
  EXPECT_TRUE(NothingPending(*alice));
}

TEST_F(ProtocolTest, BcstWhenAloneReachesNobody) {
  auto alice = ConnectAndJoin(port(), "Alice");
  ASSERT_NE(alice, nullptr);
  alice->SendLine("BCST anyone?");
  EXPECT_TRUE(NextLineIs(*alice, "OK BCST 0"));
  EXPECT_TRUE(NothingPending(*alice));
}

TEST_F(ProtocolTest, TextIsRelayedByteForByte) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  const std::string text =
      "  two leading spaces,\ta tab, \xe2\x82\xac, \xf0\x9f\x98\x80 ";
  alice->SendLine("MESG Bob " + text);
  alice->SendLine("BCST " + text);
  EXPECT_TRUE(NextLinesAre(*alice, {"OK MESG Bob", "OK BCST 1"}));
  EXPECT_TRUE(NextLinesAre(*bob, {"MESG Alice " + text, "BCST Alice " + text}));
}

TEST_F(ProtocolTest, CrlfLinesWork) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("JOIN Alice\r\nPING x\r\nLIST\r\n");
  EXPECT_TRUE(NextLinesAre(*client, {"OK JOIN Alice", "PONG x", "LIST Alice"}));
}

TEST_F(ProtocolTest, LineOf4096BytesIsAccepted) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  const std::string token(4096 - 5, 't');  // "PING " + token: 4096 bytes
  client->Send("PING " + token + "\n");
  EXPECT_TRUE(NextLineIs(*client, "PONG " + token));
  // The CR of a CRLF is not counted either.
  client->Send("PING " + token + "\r\n");
  EXPECT_TRUE(NextLineIs(*client, "PONG " + token));
}

TEST_F(ProtocolTest, LineOf4097BytesIsTooLongAndTheNextLineWorks) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("PING " + std::string(4097 - 5, 't') + "\nPING after\n");
  EXPECT_TRUE(NextLinesAre(*client, {"ERR Line Too Long", "PONG after"}));
}

TEST_F(ProtocolTest, VeryLongLineIsReportedOnce) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("BCST " + std::string(100000, 'x') + "\nPING after\n");
  EXPECT_TRUE(NextLinesAre(*client, {"ERR Line Too Long", "PONG after"}));
}

TEST_F(ProtocolTest, InvalidTextIsRefusedAndTheConnectionContinues) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  const std::vector<std::string> bad = {
      std::string("MESG Bob a\0b", 12),  // NUL
      "MESG Bob \x1b[31mred",            // ESC: a terminal escape
      "MESG Bob bell\x07",               // another control byte
      "MESG Bob del\x7f",                // DEL
      "MESG Bob \xff",                   // never valid in UTF-8
      "MESG Bob \xc0\xaf",               // overlong '/'
      "MESG Bob \xed\xa0\x80",           // a surrogate
      "MESG Bob \xe2\x82",               // truncated sequence
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    alice->SendLine(bad[i]);
    EXPECT_TRUE(NextLineIs(*alice, "ERR Invalid Text")) << "case " << i;
  }
  alice->SendLine("MESG Bob still here");
  EXPECT_TRUE(NextLineIs(*alice, "OK MESG Bob"));
  EXPECT_TRUE(NextLineIs(*bob, "MESG Alice still here"));
}

TEST_F(ProtocolTest, InvalidTextBeforeJoinIsRefusedToo) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send(std::string("JOIN A\0ice\n", 11) + "JOIN Alice\n");
  EXPECT_TRUE(NextLinesAre(*client, {"ERR Invalid Text", "OK JOIN Alice"}));
}

TEST_F(ProtocolTest, EmptyLinesAreIgnored) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send("\n\r\n\n\r\nPING x\n\n");
  EXPECT_TRUE(NextLineIs(*client, "PONG x"));
  EXPECT_TRUE(NothingPending(*client));
}

TEST_F(ProtocolTest, PipelinedRequestsAreAnsweredInOrder) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  client->Send(
      "PING 1\nLIST\nJOIN Alice\nLIST\nMESG alice self\nBCST x\nPING 2\n"
      "FOO\nQUIT\nPING never\n");
  EXPECT_TRUE(
      ClosedAfter(*client, {"PONG 1", kJoinFirst, "OK JOIN Alice", "LIST Alice",
                            "MESG Alice self", "OK MESG Alice", "OK BCST 0",
                            "PONG 2", "ERR Unknown Message: FOO", "OK QUIT"}));
}

// A BCST is answered only when the broker says how many it reached; what
// follows it in the same packet must still be answered after it.
TEST_F(ProtocolTest, BcstFollowedAtOnceByPingIsAnsweredFirst) {
  auto alice = ConnectAndJoin(port(), "Alice");
  auto bob = ConnectAndJoin(port(), "Bob");
  ASSERT_TRUE(alice && bob);
  EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
  std::string burst;
  std::vector<std::string> answers, pushes;
  for (int i = 0; i < 50; ++i) {
    burst +=
        "BCST b" + std::to_string(i) + "\nPING p" + std::to_string(i) + "\n";
    answers.push_back("OK BCST 1");
    answers.push_back("PONG p" + std::to_string(i));
    pushes.push_back("BCST Alice b" + std::to_string(i));
  }
  alice->Send(burst);
  EXPECT_TRUE(NextLinesAre(*alice, answers));
  EXPECT_TRUE(NextLinesAre(*bob, pushes));
}

TEST_F(ProtocolTest, RequestArrivingOneByteAtATimeIsUnderstood) {
  auto client = ConnectAndGreet(port());
  ASSERT_NE(client, nullptr);
  const std::string requests = "JOIN Alice\r\nMESG alice one byte at a time\n";
  for (char byte : requests) ASSERT_TRUE(client->Send(std::string(1, byte)));
  EXPECT_TRUE(NextLinesAre(
      *client,
      {"OK JOIN Alice", "MESG Alice one byte at a time", "OK MESG Alice"}));
}

TEST_F(ProtocolTest, IPv6ClientsAreServedOnTheSamePort) {
  auto client = Connection::Open(port(), "::1");
  if (!client) GTEST_SKIP() << "no IPv6 loopback on this host";
  EXPECT_TRUE(
      NextLineIs(*client, "HELLO chat-server 1.0; send JOIN <username>"));
  client->SendLine("JOIN Six");
  EXPECT_TRUE(NextLineIs(*client, "OK JOIN Six"));
}

}  // namespace
}  // namespace chat::test
