// ParseRequest for version 2's account and history verbs: the fields of
// each good form, and the exact error of each bad one.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "protocol/request.h"

namespace chat::protocol {
namespace {

// The request's views point into `line`, which the caller keeps.
Request Good(const std::string& line) {
  auto parsed = ParseRequest(line);
  const auto* request = std::get_if<Request>(&parsed);
  EXPECT_NE(request, nullptr) << line << " should parse";
  return request ? *request : Request{};
}

std::string Bad(const std::string& line) {
  auto parsed = ParseRequest(line);
  const auto* error = std::get_if<RequestError>(&parsed);
  if (!error) {
    ADD_FAILURE() << line << " should be refused";
    return "";
  }
  return FormatError(error->code, error->detail);
}

TEST(AccountRequestTest, CredentialsAndPasswords) {
  const std::string pw = "s3cret-pw";
  const std::string reg = "REGISTER Alice " + pw;
  Request r = Good(reg);
  EXPECT_EQ(r.verb, Verb::kRegister);
  EXPECT_EQ(r.name, "Alice");
  EXPECT_EQ(r.password, pw);
  const std::string login = "LOGIN bob " + std::string(128, 'x');
  r = Good(login);
  EXPECT_EQ(r.verb, Verb::kLogin);
  EXPECT_EQ(r.password.size(), 128u);
  const std::string utf8 = "LOGIN bob p\xc3\xa4sswort";  // counted in bytes
  r = Good(utf8);
  EXPECT_EQ(r.password, "p\xc3\xa4sswort");
  const std::string change = "PASSWORD old new-password";
  r = Good(change);
  EXPECT_EQ(r.verb, Verb::kPassword);
  EXPECT_EQ(r.password, "old");  // checked against the hash, not the rule
  EXPECT_EQ(r.new_password, "new-password");
  const std::string unreg = "UNREGISTER " + pw;
  r = Good(unreg);
  EXPECT_EQ(r.verb, Verb::kUnregister);
  EXPECT_EQ(r.password, pw);

  const std::string invalid =
      "ERR Invalid Password: 8 to 128 bytes, no spaces\n";
  EXPECT_EQ(Bad("REGISTER Alice 1234567"), invalid);
  EXPECT_EQ(Bad("REGISTER Alice " + std::string(129, 'x')), invalid);
  EXPECT_EQ(Bad("REGISTER Alice two words"), invalid);
  EXPECT_EQ(Bad("REGISTER Alice tab\tinside"), invalid);
  EXPECT_EQ(Bad("LOGIN Alice 1234567"), invalid);
  EXPECT_EQ(Bad("PASSWORD old short"), invalid);
  EXPECT_EQ(Bad("UNREGISTER short"), invalid);
  EXPECT_EQ(Bad("REGISTER"),
            "ERR Bad Syntax: REGISTER <username> <password>\n");
  EXPECT_EQ(Bad("REGISTER "),
            "ERR Bad Syntax: REGISTER <username> <password>\n");
  EXPECT_EQ(Bad("REGISTER Alice"),
            "ERR Bad Syntax: REGISTER <username> <password>\n");
  EXPECT_EQ(Bad("REGISTER Alice "),
            "ERR Bad Syntax: REGISTER <username> <password>\n");
  EXPECT_EQ(Bad("LOGIN  Alice pw123456"),
            "ERR Bad Syntax: LOGIN <username> <password>\n");
  EXPECT_EQ(Bad("REGISTER Al_ice pw123456"), "ERR Invalid Username: Al_ice\n");
  EXPECT_EQ(Bad("LOGIN " + std::string(33, 'a') + " pw123456"),
            "ERR Invalid Username: " + std::string(33, 'a') + "\n");
  EXPECT_EQ(Bad("PASSWORD"), "ERR Bad Syntax: PASSWORD <old> <new>\n");
  EXPECT_EQ(Bad("PASSWORD onlyone"), "ERR Bad Syntax: PASSWORD <old> <new>\n");
  EXPECT_EQ(Bad("UNREGISTER"), "ERR Bad Syntax: UNREGISTER <password>\n");
  EXPECT_EQ(Bad("register Alice pw123456"), "ERR Unknown Message: register\n");
}

TEST(AccountRequestTest, History) {
  const std::string all = "HISTORY *", bob = "HISTORY Bob 100",
                    room = "HISTORY #room 1 9223372036854775807";
  Request r = Good(all);
  EXPECT_EQ(r.verb, Verb::kHistory);
  EXPECT_EQ(r.name, "*");
  EXPECT_EQ(r.count, 50u);
  EXPECT_EQ(r.before, 0u);
  r = Good(bob);
  EXPECT_EQ(r.name, "Bob");
  EXPECT_EQ(r.count, 100u);
  r = Good(room);
  EXPECT_EQ(r.name, "#room");
  EXPECT_EQ(r.count, 1u);
  EXPECT_EQ(r.before, 9223372036854775807u);
  const std::string bad =
      "ERR Bad Syntax: HISTORY <target> [<count> [<before-id>]] (count "
      "1-100)\n";
  for (const char* line :
       {"HISTORY", "HISTORY ", "HISTORY * ", "HISTORY * 0", "HISTORY * 101",
        "HISTORY * 007", "HISTORY * +5", "HISTORY * 5 ", "HISTORY * 5 0",
        "HISTORY * 5 9223372036854775808", "HISTORY * 5 1 extra",
        "HISTORY  *"}) {
    EXPECT_EQ(Bad(line), bad) << line;
  }
}

}  // namespace
}  // namespace chat::protocol
