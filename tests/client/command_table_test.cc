// The syntax table: every form CLIENT.md lists becomes the exact request
// line; near misses and ambiguous forms do what the man page says.
#include "client/command_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace chat::client {
namespace {

using ::testing::HasSubstr;

struct Case {
  const char* typed;
  const char* request;
};

void ExpectRequests(const std::vector<Case>& cases, Action action) {
  for (const Case& c : cases) {
    const Command command = ParseInput(c.typed);
    EXPECT_EQ(command.request, c.request) << "typed: " << c.typed;
    EXPECT_EQ(command.action, action) << "typed: " << c.typed;
  }
}

TEST(CommandTableTest, EveryPrivateMessageFormBecomesMesg) {
  ExpectRequests({{"/msg Bob hi", "MESG Bob hi"},
                  {"Bob:hi", "MESG Bob hi"},
                  {"!private Bob hi", "MESG Bob hi"},
                  {"private txt Bob hi", "MESG Bob hi"},
                  {"MESG Bob hi", "MESG Bob hi"},
                  {"/msg Bob how are you?", "MESG Bob how are you?"},
                  {"Bob:how are you?", "MESG Bob how are you?"}},
                 Action::kMesg);
}

TEST(CommandTableTest, PrivateMessageKeepsTextAndRecipient) {
  const Command command = ParseInput("/msg bob  two spaces");
  EXPECT_EQ(command.name, "bob");
  EXPECT_EQ(command.text, " two spaces");  // text is relayed byte for byte
  EXPECT_EQ(command.request, "MESG bob  two spaces");
}

TEST(CommandTableTest, EveryBroadcastFormBecomesBcst) {
  ExpectRequests(
      {{"/all hi", "BCST hi"},
       {"BCST hi", "BCST hi"},
       {"bdct txt hi", "BCST hi"},
       {"hi", "BCST hi"},
       {"hello everyone, how are you?", "BCST hello everyone, how are you?"}},
      Action::kBcst);
}

TEST(CommandTableTest, EveryListFormBecomesList) {
  ExpectRequests({{"/who", "LIST"},
                  {"/list", "LIST"},
                  {"server:who", "LIST"},
                  {"!online", "LIST"},
                  {"online clients", "LIST"},
                  {"LIST", "LIST"}},
                 Action::kList);
}

TEST(CommandTableTest, EveryQuitFormBecomesQuit) {
  ExpectRequests({{"/quit", "QUIT"},
                  {"server:exit", "QUIT"},
                  {"!bye", "QUIT"},
                  {"exit", "QUIT"},
                  {"QUIT", "QUIT"}},
                 Action::kQuit);
}

TEST(CommandTableTest, EveryRegisterFormBecomesJoin) {
  ExpectRequests(
      {{"server:register Bob", "JOIN Bob"}, {"JOIN Bob", "JOIN Bob"}},
      Action::kJoin);
  EXPECT_EQ(ParseInput("server:register Bob").name, "Bob");
  EXPECT_EQ(ParseInput("JOIN Bob").name, "Bob");
}

TEST(CommandTableTest, OtherProtocolLinesAreSentAsTyped) {
  ExpectRequests({{"PING x", "PING x"},
                  {"PING", "PING"},
                  {"/quote FOO bar", "FOO bar"},
                  {"LIST extra", "LIST extra"},
                  {"MESG Bob", "MESG Bob"},
                  {"JOIN", "JOIN"}},
                 Action::kRaw);
}

TEST(CommandTableTest, HelpAndHistorySendNothing) {
  const Command help = ParseInput("/help");
  EXPECT_EQ(help.action, Action::kHelp);
  EXPECT_EQ(help.request, "");
  const Command all = ParseInput("/history");
  EXPECT_EQ(all.action, Action::kHistory);
  EXPECT_EQ(all.name, "");
  EXPECT_EQ(all.request, "");
  const Command bob = ParseInput("/history Bob");
  EXPECT_EQ(bob.action, Action::kHistory);
  EXPECT_EQ(bob.name, "Bob");
}

TEST(CommandTableTest, BlankLinesDoNothing) {
  for (const char* typed : {"", " ", "   ", "\t"}) {
    const Command command = ParseInput(typed);
    EXPECT_EQ(command.action, Action::kNothing) << "typed: '" << typed << "'";
    EXPECT_EQ(command.request, "");
  }
}

TEST(CommandTableTest, ColonNeedsAValidNameAndTextRightAfterIt) {
  // Broadcasts: a link, public addressing with a space, a clock time, a
  // space before the colon, a name that is not a username, nothing after.
  ExpectRequests({{"http://x", "BCST http://x"},
                  {"note: hi", "BCST note: hi"},
                  {"Bob: hi", "BCST Bob: hi"},
                  {"12:30 works for me", "BCST 12:30 works for me"},
                  {"see you at 9:15", "BCST see you at 9:15"},
                  {"Bob :hi", "BCST Bob :hi"},
                  {"B@b:hi", "BCST B@b:hi"},
                  {"Bob:", "BCST Bob:"},
                  {":hi", "BCST :hi"}},
                 Action::kBcst);
  // Private: a digit name with text that is not a digit, a digit text
  // after a letter name, the first colon counts.
  ExpectRequests({{"42:hi", "MESG 42 hi"},
                  {"Bob:42", "MESG Bob 42"},
                  {"Bob:see http://x", "MESG Bob see http://x"},
                  {"Bob:a:b", "MESG Bob a:b"}},
                 Action::kMesg);
}

TEST(CommandTableTest, ServerWordsAreCommandsNotMessagesToServer) {
  EXPECT_EQ(ParseInput("server:who").request, "LIST");
  EXPECT_EQ(ParseInput("server:exit").request, "QUIT");
  // Any other "server:" line is a private message to a user named server.
  EXPECT_EQ(ParseInput("server:hello").request, "MESG server hello");
}

TEST(CommandTableTest, MalformedCommandsAreUsageErrorsAndSendNothing) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"/msg", "Usage: /msg NAME TEXT"},
      {"/msg Bob", "Usage: /msg NAME TEXT"},
      {"/msg Bob   ", "Usage: /msg NAME TEXT"},
      {"!private Bob", "Usage: !private NAME TEXT"},
      {"private txt Bob", "Usage: private txt NAME TEXT"},
      {"/all", "Usage: /all TEXT"},
      {"bdct txt", "Usage: bdct txt TEXT"},
      {"/who is there", "Usage: /who [#ROOM]"},
      {"/quit now", "Usage: /quit"},
      {"!bye all", "Usage: !bye"},
      {"server:register", "Usage: server:register NAME"},
      {"server:register Bob Carol", "Usage: server:register NAME"},
      {"/history Bob Carol", "Usage: /history [NAME]"},
      {"/help me", "Usage: /help"},
      {"/quote", "Usage: /quote LINE"},
  };
  for (const auto& [typed, message] : cases) {
    const Command command = ParseInput(typed);
    EXPECT_EQ(command.action, Action::kUsage) << "typed: " << typed;
    EXPECT_EQ(command.request, "") << "typed: " << typed;
    EXPECT_EQ(command.message, message) << "typed: " << typed;
  }
}

TEST(CommandTableTest, InvalidRecipientIsReportedLocally) {
  const Command command = ParseInput("/msg B@b hi");
  EXPECT_EQ(command.action, Action::kUsage);
  EXPECT_THAT(command.message, HasSubstr("Not a valid username: B@b"));
  EXPECT_EQ(command.request, "");
}

TEST(CommandTableTest, UnknownSlashCommandIsAnErrorNotABroadcast) {
  const Command command = ParseInput("/mgs Bob hi");
  EXPECT_EQ(command.action, Action::kUsage);
  EXPECT_THAT(command.message, HasSubstr("Unknown command: /mgs"));
  EXPECT_EQ(command.request, "");
}

TEST(CommandTableTest, DoubleSlashSendsALineStartingWithSlash) {
  EXPECT_EQ(ParseInput("//shrug").request, "BCST /shrug");
}

TEST(CommandTableTest, WordsThatAreNotCommandsInContextAreBroadcasts) {
  // Not strict rows: a near miss is chat, not a usage error.
  ExpectRequests({{"exit now", "BCST exit now"},
                  {"online clients are few", "BCST online clients are few"},
                  {"private matters", "BCST private matters"},
                  {"LOL", "BCST LOL"},
                  {"OK thanks", "BCST OK thanks"}},
                 Action::kBcst);
}

}  // namespace
}  // namespace chat::client
