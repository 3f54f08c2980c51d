// Private-message requests with accounts: the privacy setting and accepted
// chats of two accounts outlive their sessions and a restart of the server.
#include <gtest/gtest.h>

#include "store/store_fixture.h"

namespace chat::test {
namespace {

using ConsentStoreTest = StoreTest;

TEST_F(ConsentStoreTest, AcceptedChatAndPrivacySurviveARestart) {
  auto alice = Register("Alice");
  auto bob = Register("Bob");
  ASSERT_NE(alice, nullptr);
  ASSERT_NE(bob, nullptr);
  ASSERT_TRUE(alice->SkipUntil("JOINED Bob"));
  alice->SendLine("PRIVACY ask");
  ASSERT_TRUE(NextLineIs(*alice, "OK PRIVACY ask"));
  bob->SendLine("MESG Alice hi");
  ASSERT_TRUE(NextLineIs(*bob, "ERR Not Accepted: Alice"));
  bob->SendLine("INVITE Alice");
  ASSERT_TRUE(NextLineIs(*bob, "OK INVITE Alice"));
  ASSERT_TRUE(NextLineIs(*alice, "INVITE Bob"));
  alice->SendLine("ACCEPT Bob");
  ASSERT_TRUE(NextLineIs(*alice, "OK ACCEPT Bob"));
  ASSERT_TRUE(NextLineIs(*bob, "ACCEPTED Alice"));
  alice.reset();
  bob.reset();
  ASSERT_NO_FATAL_FAILURE(Restart());

  alice = Login("Alice", "Alice");
  bob = Login("Bob", "Bob");
  ASSERT_NE(alice, nullptr);
  ASSERT_NE(bob, nullptr);
  bob->SendLine("MESG Alice hello again");
  EXPECT_TRUE(NextLineIs(*bob, "OK MESG Alice"));
  EXPECT_TRUE(alice->SkipUntil("MESG Bob hello again"));
  alice->SendLine("CHATS");
  EXPECT_TRUE(NextLineIs(*alice, "CHATS Bob"));
  // Alice's setting is still ask: a stranger is refused.
  auto carol = ConnectAndJoin(port(), "Carol");
  ASSERT_NE(carol, nullptr);
  carol->SendLine("MESG Alice hi");
  EXPECT_TRUE(NextLineIs(*carol, "ERR Not Accepted: Alice"));
  // Ending it ends it for good.
  alice->SendLine("END Bob");
  EXPECT_TRUE(alice->SkipUntil("OK END Bob"));
  alice.reset();
  bob.reset();
  ASSERT_NO_FATAL_FAILURE(Restart());
  alice = Login("Alice", "Alice");
  bob = Login("Bob", "Bob");
  ASSERT_NE(alice, nullptr);
  ASSERT_NE(bob, nullptr);
  bob->SendLine("MESG Alice hi");
  EXPECT_TRUE(NextLineIs(*bob, "ERR Not Accepted: Alice"));
}

}  // namespace
}  // namespace chat::test
