// The formatters: the exact bytes of every answer, error and push, each one
// line ending in a single LF.
#include "protocol/reply.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chat::protocol {
namespace {

TEST(ErrorPhraseTest, EveryCodeHasItsExactPhrase) {
  const std::vector<std::pair<ErrorCode, std::string>> phrases = {
      {ErrorCode::kUnregisteredUser, "Unregistered User"},
      {ErrorCode::kUnknownRecipient, "Unknown Recipient"},
      {ErrorCode::kUnknownMessage, "Unknown Message"},
      {ErrorCode::kBadSyntax, "Bad Syntax"},
      {ErrorCode::kInvalidUsername, "Invalid Username"},
      {ErrorCode::kUsernameTaken, "Username Taken"},
      {ErrorCode::kAlreadyRegistered, "Already Registered"},
      {ErrorCode::kTooManyUsers, "Too Many Users"},
      {ErrorCode::kTooManyConnections, "Too Many Connections"},
      {ErrorCode::kLineTooLong, "Line Too Long"},
      {ErrorCode::kInvalidText, "Invalid Text"},
      {ErrorCode::kSendQueueExceeded, "Send Queue Exceeded"},
  };
  for (const auto& [code, phrase] : phrases) {
    EXPECT_EQ(ErrorPhrase(code), phrase);
    EXPECT_EQ(FormatError(code), "ERR " + phrase + "\n");
  }
}

TEST(FormatErrorTest, DetailFollowsAColonAndASpace) {
  EXPECT_EQ(FormatError(ErrorCode::kUnknownRecipient, "Carol"),
            "ERR Unknown Recipient: Carol\n");
  EXPECT_EQ(
      FormatError(ErrorCode::kUnregisteredUser, "send JOIN <username> first"),
      "ERR Unregistered User: send JOIN <username> first\n");
  EXPECT_EQ(FormatError(ErrorCode::kInvalidText, ""), "ERR Invalid Text\n");
}

struct FormatCase {
  const char* name;
  std::string got;
  std::string expected;
};

TEST(FormatTest, EveryAnswerAndPushHasItsExactBytes) {
  const std::vector<FormatCase> cases = {
      {"HELLO", FormatHello(), "HELLO chat-server 1.0; send JOIN <username>\n"},
      {"OK JOIN", FormatOkJoin("Alice"), "OK JOIN Alice\n"},
      {"OK MESG", FormatOkMesg("Bob"), "OK MESG Bob\n"},
      {"OK BCST 0", FormatOkBcst(0), "OK BCST 0\n"},
      {"OK BCST 3", FormatOkBcst(3), "OK BCST 3\n"},
      {"OK BCST 10000", FormatOkBcst(10000), "OK BCST 10000\n"},
      {"OK QUIT", FormatOkQuit(), "OK QUIT\n"},
      {"LIST one", FormatList({"Alice"}), "LIST Alice\n"},
      {"LIST three", FormatList({"Alice", "Bob", "carol7"}),
       "LIST Alice,Bob,carol7\n"},
      {"LIST empty", FormatList({}), "LIST\n"},
      {"PONG", FormatPong(""), "PONG\n"},
      {"PONG token", FormatPong("42"), "PONG 42\n"},
      {"PONG token with spaces", FormatPong("a b"), "PONG a b\n"},
      {"MESG push", FormatMesgPush("Bob", "Fine, thanks"),
       "MESG Bob Fine, thanks\n"},
      {"MESG push keeps leading spaces", FormatMesgPush("Bob", "  x"),
       "MESG Bob   x\n"},
      {"BCST push", FormatBcstPush("Alice", "Hello"), "BCST Alice Hello\n"},
      {"BCST push UTF-8", FormatBcstPush("Alice", "caf\xC3\xA9"),
       "BCST Alice caf\xC3\xA9\n"},
      {"JOINED", FormatJoined("Bob"), "JOINED Bob\n"},
      {"LEFT", FormatLeft("Bob"), "LEFT Bob\n"},
      {"BYE shutdown", FormatBye(kByeShutdown), "BYE Server shutting down\n"},
      {"BYE join timeout", FormatBye(kByeJoinTimeout), "BYE Join Timeout\n"},
      {"BYE empty", FormatBye(""), "BYE\n"},
  };
  for (const FormatCase& c : cases) {
    EXPECT_EQ(c.got, c.expected) << c.name;
  }
}

}  // namespace
}  // namespace chat::protocol
