// ParseServerLine: every kind of line the server sends, what the formatters
// produce read back, and garbage that must come out as kUnknown.
#include "protocol/server_line.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply.h"

namespace chat::protocol {
namespace {

std::string_view KindName(ServerLineKind kind) {
  switch (kind) {
    case ServerLineKind::kHello:
      return "kHello";
    case ServerLineKind::kOk:
      return "kOk";
    case ServerLineKind::kList:
      return "kList";
    case ServerLineKind::kPong:
      return "kPong";
    case ServerLineKind::kError:
      return "kError";
    case ServerLineKind::kMesg:
      return "kMesg";
    case ServerLineKind::kBcst:
      return "kBcst";
    case ServerLineKind::kJoined:
      return "kJoined";
    case ServerLineKind::kLeft:
      return "kLeft";
    case ServerLineKind::kBye:
      return "kBye";
    case ServerLineKind::kUnknown:
      return "kUnknown";
  }
  return "?";
}

struct Case {
  std::string line;
  ServerLineKind kind;
  std::string first;
  std::string second;
  std::vector<std::string> names;
};

void ExpectParses(const Case& c) {
  const ServerLine parsed = ParseServerLine(c.line);
  EXPECT_EQ(KindName(parsed.kind), KindName(c.kind)) << "\"" << c.line << "\"";
  EXPECT_EQ(parsed.first, c.first) << "first of \"" << c.line << "\"";
  EXPECT_EQ(parsed.second, c.second) << "second of \"" << c.line << "\"";
  const std::vector<std::string> names(parsed.names.begin(),
                                       parsed.names.end());
  EXPECT_EQ(names, c.names) << "names of \"" << c.line << "\"";
}

TEST(ParseServerLineTest, ReadsEveryKind) {
  using K = ServerLineKind;
  const std::vector<Case> cases = {
      {"HELLO chat-server 1.0; send JOIN <username>",
       K::kHello,
       "chat-server 1.0; send JOIN <username>",
       "",
       {}},
      {"OK JOIN Alice", K::kOk, "JOIN", "Alice", {}},
      {"OK MESG Bob", K::kOk, "MESG", "Bob", {}},
      {"OK BCST 3", K::kOk, "BCST", "3", {}},
      {"OK QUIT", K::kOk, "QUIT", "", {}},
      {"LIST a,b", K::kList, "", "", {"a", "b"}},
      {"LIST Alice", K::kList, "", "", {"Alice"}},
      {"LIST Alice,Bob,carol7", K::kList, "", "", {"Alice", "Bob", "carol7"}},
      {"PONG", K::kPong, "", "", {}},
      {"PONG 42", K::kPong, "42", "", {}},
      {"PONG a b", K::kPong, "a b", "", {}},
      {"ERR Unknown Recipient: Carol",
       K::kError,
       "Unknown Recipient",
       "Carol",
       {}},
      {"ERR Invalid Text", K::kError, "Invalid Text", "", {}},
      {"ERR Bad Syntax: MESG <username> <text>",
       K::kError,
       "Bad Syntax",
       "MESG <username> <text>",
       {}},
      {"ERR Unregistered User: send JOIN <username> first",
       K::kError,
       "Unregistered User",
       "send JOIN <username> first",
       {}},
      {"MESG Bob Fine, thanks", K::kMesg, "Bob", "Fine, thanks", {}},
      {"MESG Bob  spaced", K::kMesg, "Bob", " spaced", {}},
      {"BCST Alice Hello", K::kBcst, "Alice", "Hello", {}},
      {"JOINED Bob", K::kJoined, "Bob", "", {}},
      {"LEFT Bob", K::kLeft, "Bob", "", {}},
      {"BYE Server shutting down", K::kBye, "Server shutting down", "", {}},
      {"BYE Join Timeout", K::kBye, "Join Timeout", "", {}},
  };
  for (const Case& c : cases) ExpectParses(c);
}

TEST(ParseServerLineTest, ToleratesLooseShapes) {
  using K = ServerLineKind;
  const std::vector<Case> cases = {
      {"HELLO", K::kHello, "", "", {}},
      {"LIST", K::kList, "", "", {}},
      {"LIST a,,b,", K::kList, "", "", {"a", "b"}},
      {"ERR Unknown Recipient:Carol",
       K::kError,
       "Unknown Recipient",
       "Carol",
       {}},
      {"ERR Unknown Message: a: b", K::kError, "Unknown Message", "a: b", {}},
      {"MESG Bob ", K::kMesg, "Bob", "", {}},
      {"BYE", K::kBye, "", "", {}},
  };
  for (const Case& c : cases) ExpectParses(c);
}

TEST(ParseServerLineTest, MalformedOrUnknownLinesAreUnknown) {
  for (const std::string line :
       {"",         " ",       "OK",           "OK ",
        "ERR",      "ERR ",    "ERR : x",      "MESG",
        "MESG Bob", "MESG  x", "BCST Alice",   "JOINED",
        "JOINED ",  "LEFT",    "LEFT ",        "ok JOIN Bob",
        "HELLOx",   "FOO bar", " OK JOIN Bob", "PONG\t1"}) {
    const ServerLine parsed = ParseServerLine(line);
    EXPECT_EQ(KindName(parsed.kind), "kUnknown") << "\"" << line << "\"";
    EXPECT_EQ(parsed.first, line) << "kUnknown keeps the whole line";
    EXPECT_TRUE(parsed.second.empty()) << "\"" << line << "\"";
    EXPECT_TRUE(parsed.names.empty()) << "\"" << line << "\"";
  }
}

TEST(ParseServerLineTest, ReadsBackWhatTheFormattersWrite) {
  // A formatted line, LF included, reads back as what was formatted.
  using K = ServerLineKind;
  const std::vector<Case> cases = {
      {FormatHello(),
       K::kHello,
       "chat-server 1.0; send JOIN <username>",
       "",
       {}},
      {FormatOkJoin("Alice"), K::kOk, "JOIN", "Alice", {}},
      {FormatOkMesg("Bob"), K::kOk, "MESG", "Bob", {}},
      {FormatOkBcst(7), K::kOk, "BCST", "7", {}},
      {FormatOkQuit(), K::kOk, "QUIT", "", {}},
      {FormatList({"Alice", "Bob"}), K::kList, "", "", {"Alice", "Bob"}},
      {FormatList({}), K::kList, "", "", {}},
      {FormatPong(""), K::kPong, "", "", {}},
      {FormatPong("t"), K::kPong, "t", "", {}},
      {FormatError(ErrorCode::kUnknownRecipient, "Carol"),
       K::kError,
       "Unknown Recipient",
       "Carol",
       {}},
      {FormatError(ErrorCode::kLineTooLong),
       K::kError,
       "Line Too Long",
       "",
       {}},
      {FormatMesgPush("Bob", "hi there"), K::kMesg, "Bob", "hi there", {}},
      {FormatBcstPush("Bob", " hi"), K::kBcst, "Bob", " hi", {}},
      {FormatJoined("Bob"), K::kJoined, "Bob", "", {}},
      {FormatLeft("Bob"), K::kLeft, "Bob", "", {}},
      {FormatBye(kByeShutdown), K::kBye, "Server shutting down", "", {}},
      {"OK QUIT\r\n", K::kOk, "QUIT", "", {}},
  };
  for (const Case& c : cases) ExpectParses(c);
}

TEST(ParseServerLineTest, RandomBytesNeverBreakIt) {
  // Views stay inside the line, whatever the bytes.
  std::mt19937 random(777);
  const std::string pieces[] = {"OK",   "ERR",  "LIST",   "MESG", "BCST", " ",
                                ",",    ":",    ": ",     "\n",   "\r",   "x",
                                "\xFF", "PONG", "JOINED", "LEFT", "BYE"};
  for (int round = 0; round < 5000; ++round) {
    std::string line;
    const size_t count = random() % 8;
    for (size_t i = 0; i < count; ++i) line += pieces[random() % 17];
    const ServerLine parsed = ParseServerLine(line);
    const char* begin = line.data();
    const char* end = begin + line.size();
    for (std::string_view view : {parsed.first, parsed.second}) {
      if (view.empty()) continue;
      ASSERT_TRUE(view.data() >= begin && view.data() + view.size() <= end)
          << "view outside \"" << line << "\"";
    }
    for (std::string_view name : parsed.names) {
      ASSERT_FALSE(name.empty()) << "\"" << line << "\"";
      ASSERT_TRUE(name.data() >= begin && name.data() + name.size() <= end);
    }
  }
}

}  // namespace
}  // namespace chat::protocol
