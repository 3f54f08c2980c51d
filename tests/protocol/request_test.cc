// ParseRequest: every verb's good forms and the exact error, with its
// detail, for every bad one.
#include "protocol/request.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace chat::protocol {
namespace {

struct GoodCase {
  std::string line;
  Verb verb;
  std::string name;
  std::string text;
};

TEST(ParseRequestTest, GoodFormsGiveTheRequest) {
  const std::vector<GoodCase> cases = {
      {"JOIN Alice", Verb::kJoin, "Alice", ""},
      {"JOIN a", Verb::kJoin, "a", ""},
      {"JOIN " + std::string(32, 'z'), Verb::kJoin, std::string(32, 'z'), ""},
      {"JOIN Bob42", Verb::kJoin, "Bob42", ""},
      {"LIST", Verb::kList, "", ""},
      {"QUIT", Verb::kQuit, "", ""},
      {"MESG Bob hi", Verb::kMesg, "Bob", "hi"},
      {"MESG bob How are you?", Verb::kMesg, "bob", "How are you?"},
      {"MESG Bob  hi", Verb::kMesg, "Bob", " hi"},
      {"MESG Bob hi ", Verb::kMesg, "Bob", "hi "},
      {"MESG Bob \t", Verb::kMesg, "Bob", "\t"},
      {"MESG Bob  ", Verb::kMesg, "Bob", " "},
      {"MESG b@d hi", Verb::kMesg, "b@d", "hi"},  // the lookup refuses it
      {"BCST hi", Verb::kBcst, "", "hi"},
      {"BCST  hi", Verb::kBcst, "", " hi"},
      {"BCST hello  world ", Verb::kBcst, "", "hello  world "},
      {"BCST MESG Bob x", Verb::kBcst, "", "MESG Bob x"},
      {"PING", Verb::kPing, "", ""},
      {"PING 42", Verb::kPing, "", "42"},
      {"PING a b", Verb::kPing, "", "a b"},
  };
  for (const GoodCase& c : cases) {
    const auto parsed = ParseRequest(c.line);
    const auto* request = std::get_if<Request>(&parsed);
    if (request == nullptr) {
      const auto& error = std::get<RequestError>(parsed);
      ADD_FAILURE() << "\"" << c.line << "\": expected a request, got ERR "
                    << ErrorPhrase(error.code) << ": " << error.detail;
      continue;
    }
    EXPECT_EQ(request->verb, c.verb) << "\"" << c.line << "\"";
    EXPECT_EQ(request->name, c.name) << "\"" << c.line << "\"";
    EXPECT_EQ(request->text, c.text) << "\"" << c.line << "\"";
  }
}

struct BadCase {
  std::string line;
  ErrorCode code;
  std::string detail;
};

TEST(ParseRequestTest, BadFormsGiveTheExactError) {
  const std::string join_form = "JOIN <username>";
  const std::string mesg_form = "MESG <username> <text>";
  const std::string bcst_form = "BCST <text>";
  const std::vector<BadCase> cases = {
      // JOIN: no name is syntax; a bad name is the name's fault.
      {"JOIN", ErrorCode::kBadSyntax, join_form},
      {"JOIN ", ErrorCode::kBadSyntax, join_form},
      {"JOIN a b", ErrorCode::kInvalidUsername, "a b"},
      {"JOIN  Bob", ErrorCode::kInvalidUsername, " Bob"},
      {"JOIN Bob ", ErrorCode::kInvalidUsername, "Bob "},
      {"JOIN b@d", ErrorCode::kInvalidUsername, "b@d"},
      {"JOIN caf\xC3\xA9", ErrorCode::kInvalidUsername, "caf\xC3\xA9"},
      {"JOIN " + std::string(33, 'z'), ErrorCode::kInvalidUsername,
       std::string(33, 'z')},
      // LIST and QUIT take nothing, not even a trailing space.
      {"LIST ", ErrorCode::kBadSyntax, "LIST"},
      {"LIST all", ErrorCode::kBadSyntax, "LIST"},
      {"QUIT ", ErrorCode::kBadSyntax, "QUIT"},
      {"QUIT now", ErrorCode::kBadSyntax, "QUIT"},
      // MESG needs a name and a non-empty text.
      {"MESG", ErrorCode::kBadSyntax, mesg_form},
      {"MESG ", ErrorCode::kBadSyntax, mesg_form},
      {"MESG Bob", ErrorCode::kBadSyntax, mesg_form},
      {"MESG Bob ", ErrorCode::kBadSyntax, mesg_form},
      {"MESG  hi", ErrorCode::kBadSyntax, mesg_form},
      {"MESG  Bob hi", ErrorCode::kBadSyntax, mesg_form},
      // BCST needs a non-empty text.
      {"BCST", ErrorCode::kBadSyntax, bcst_form},
      {"BCST ", ErrorCode::kBadSyntax, bcst_form},
      // PING: a space announces a token.
      {"PING ", ErrorCode::kBadSyntax, "PING [<token>]"},
      // Verbs are case-sensitive; the detail is the first word.
      {"join Bob", ErrorCode::kUnknownMessage, "join"},
      {"Join Bob", ErrorCode::kUnknownMessage, "Join"},
      {"list", ErrorCode::kUnknownMessage, "list"},
      {"quit", ErrorCode::kUnknownMessage, "quit"},
      {"FOO", ErrorCode::kUnknownMessage, "FOO"},
      {"FOO bar baz", ErrorCode::kUnknownMessage, "FOO"},
      {"JOINX Bob", ErrorCode::kUnknownMessage, "JOINX"},
      {"LISTS", ErrorCode::kUnknownMessage, "LISTS"},
      {"JOIN\tBob", ErrorCode::kUnknownMessage, "JOIN\tBob"},
      {"MESG\tBob hi", ErrorCode::kUnknownMessage, "MESG\tBob"},
      {"OK JOIN Bob", ErrorCode::kUnknownMessage, "OK"},
      {" JOIN Bob", ErrorCode::kUnknownMessage, ""},
  };
  for (const BadCase& c : cases) {
    const auto parsed = ParseRequest(c.line);
    const auto* error = std::get_if<RequestError>(&parsed);
    if (error == nullptr) {
      ADD_FAILURE() << "\"" << c.line << "\": expected ERR "
                    << ErrorPhrase(c.code) << ", got a request";
      continue;
    }
    EXPECT_EQ(ErrorPhrase(error->code), ErrorPhrase(c.code))
        << "\"" << c.line << "\"";
    EXPECT_EQ(error->detail, c.detail) << "\"" << c.line << "\"";
  }
}

TEST(ParseRequestTest, ViewsPointIntoTheLine) {
  const std::string line = "MESG Bob hi there";
  const auto parsed = ParseRequest(line);
  const auto& request = std::get<Request>(parsed);
  EXPECT_EQ(request.name.data(), line.data() + 5);
  EXPECT_EQ(request.text.data(), line.data() + 9);
  EXPECT_EQ(request.text.size(), line.size() - 9);
}

TEST(ParseRequestTest, ErrorsFormatAsTheProtocolSays) {
  const auto error = [](const std::string& line) {
    const auto parsed = ParseRequest(line);
    const auto& e = std::get<RequestError>(parsed);
    return FormatError(e.code, e.detail);
  };
  EXPECT_EQ(error("MESG Bob"), "ERR Bad Syntax: MESG <username> <text>\n");
  EXPECT_EQ(error("FOO"), "ERR Unknown Message: FOO\n");
  EXPECT_EQ(error("JOIN a b"), "ERR Invalid Username: a b\n");
  EXPECT_EQ(error("LIST x"), "ERR Bad Syntax: LIST\n");
}

TEST(VerbNameTest, NamesEveryVerb) {
  EXPECT_EQ(VerbName(Verb::kJoin), "JOIN");
  EXPECT_EQ(VerbName(Verb::kList), "LIST");
  EXPECT_EQ(VerbName(Verb::kMesg), "MESG");
  EXPECT_EQ(VerbName(Verb::kBcst), "BCST");
  EXPECT_EQ(VerbName(Verb::kQuit), "QUIT");
  EXPECT_EQ(VerbName(Verb::kPing), "PING");
}

}  // namespace
}  // namespace chat::protocol
