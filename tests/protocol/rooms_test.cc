// Rooms and private-message requests on the wire: the room rule, the
// parsing of every new form and its exact error, and the lines formatted
// for them.
#include "protocol/rooms.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "protocol/request.h"

namespace chat::protocol {
namespace {

TEST(RoomNameTest, FollowsTheRoomRule) {
  EXPECT_TRUE(IsValidRoomName("#a"));
  EXPECT_TRUE(IsValidRoomName("#Lunch_2-go"));
  EXPECT_TRUE(IsValidRoomName("#" + std::string(32, 'x')));
  EXPECT_FALSE(IsValidRoomName("#"));
  EXPECT_FALSE(IsValidRoomName("#" + std::string(33, 'x')));
  EXPECT_FALSE(IsValidRoomName("lunch"));
  EXPECT_FALSE(IsValidRoomName("#a.b"));
  EXPECT_FALSE(IsValidRoomName("#a b"));
  EXPECT_FALSE(IsValidRoomName("##a"));
  EXPECT_FALSE(IsValidRoomName("#caf\xc3\xa9"));
}

struct Good {
  std::string line;
  Verb verb;
  std::string name;
  std::string text;
};

TEST(RoomsParseTest, GoodFormsGiveTheRequest) {
  const std::vector<Good> cases = {
      {"JOIN #lunch", Verb::kJoin, "#lunch", ""},
      {"PART #Lunch", Verb::kPart, "#Lunch", ""},
      {"MESG #lunch pizza? ", Verb::kMesg, "#lunch", "pizza? "},
      {"LIST #lunch", Verb::kList, "#lunch", ""},
      {"LIST", Verb::kList, "", ""},
      {"ROOMS", Verb::kRooms, "", ""},
      {"PRIVACY ask", Verb::kPrivacy, "", "ask"},
      {"PRIVACY open", Verb::kPrivacy, "", "open"},
      {"INVITE Bob", Verb::kInvite, "Bob", ""},
      {"INVITE b@d", Verb::kInvite, "b@d", ""},  // the lookup refuses it
      {"ACCEPT bob", Verb::kAccept, "bob", ""},
      {"REJECT Bob", Verb::kReject, "Bob", ""},
      {"END Bob", Verb::kEnd, "Bob", ""},
      {"CHATS", Verb::kChats, "", ""},
  };
  for (const auto& c : cases) {
    auto parsed = ParseRequest(c.line);
    const auto* request = std::get_if<Request>(&parsed);
    ASSERT_NE(request, nullptr) << c.line;
    EXPECT_EQ(request->verb, c.verb) << c.line;
    EXPECT_EQ(request->name, c.name) << c.line;
    EXPECT_EQ(request->text, c.text) << c.line;
  }
}

TEST(RoomsParseTest, BadFormsGiveTheExactError) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"JOIN #", "ERR Invalid Room: #"},
      {"JOIN #a b", "ERR Invalid Room: #a b"},
      {"PART #!", "ERR Invalid Room: #!"},
      {"MESG #! hi", "ERR Invalid Room: #!"},
      {"LIST #", "ERR Invalid Room: #"},
      {"PART", "ERR Bad Syntax: PART <room>"},
      {"PART ", "ERR Bad Syntax: PART <room>"},
      {"PART bob", "ERR Bad Syntax: PART <room>"},
      {"LIST bob", "ERR Bad Syntax: LIST"},  // as in version 1
      {"ROOMS ", "ERR Bad Syntax: ROOMS"},
      {"CHATS x", "ERR Bad Syntax: CHATS"},
      {"PRIVACY", "ERR Bad Syntax: PRIVACY open|ask"},
      {"PRIVACY maybe", "ERR Bad Syntax: PRIVACY open|ask"},
      {"INVITE", "ERR Bad Syntax: INVITE <username>"},
      {"INVITE a b", "ERR Bad Syntax: INVITE <username>"},
      {"ACCEPT ", "ERR Bad Syntax: ACCEPT <username>"},
      {"REJECT", "ERR Bad Syntax: REJECT <username>"},
      {"END", "ERR Bad Syntax: END <username>"},
      {"part #a", "ERR Unknown Message: part"},
  };
  for (const auto& [line, expected] : cases) {
    auto parsed = ParseRequest(line);
    const auto* error = std::get_if<RequestError>(&parsed);
    ASSERT_NE(error, nullptr) << line;
    EXPECT_EQ(FormatError(error->code, error->detail), expected + "\n") << line;
  }
}

TEST(RoomsFormatTest, AnswersAndPushes) {
  EXPECT_EQ(FormatOkJoinRoom("#r"), "OK JOIN #r\n");
  EXPECT_EQ(FormatOkPart("#r"), "OK PART #r\n");
  EXPECT_EQ(FormatOkMesgRoom("#r", 3), "OK MESG #r 3\n");
  EXPECT_EQ(FormatRoomList("#r", {"a", "b"}), "LIST #r a,b\n");
  EXPECT_EQ(FormatRooms({}), "ROOMS\n");
  EXPECT_EQ(FormatRooms({{"#a", 3}, {"#b", 1}}), "ROOMS #a:3,#b:1\n");
  EXPECT_EQ(FormatChats({}), "CHATS\n");
  EXPECT_EQ(FormatChats({"Bob", "Carol"}), "CHATS Bob,Carol\n");
  EXPECT_EQ(FormatOkWith("PRIVACY", "ask"), "OK PRIVACY ask\n");
  EXPECT_EQ(FormatRoomMesgPush("#r", "Bob", " hi"), "MESG #r Bob  hi\n");
  EXPECT_EQ(FormatRoomJoined("#r", "Bob"), "JOINED #r Bob\n");
  EXPECT_EQ(FormatRoomLeft("#r", "Bob"), "LEFT #r Bob\n");
  EXPECT_EQ(FormatConsentPush("ENDED", "Bob"), "ENDED Bob\n");
  for (ErrorCode code : {ErrorCode::kInvalidRoom, ErrorCode::kUnknownRoom,
                         ErrorCode::kNotInRoom, ErrorCode::kAlreadyInRoom,
                         ErrorCode::kTooManyRooms, ErrorCode::kNotAccepted,
                         ErrorCode::kNoInvitation, ErrorCode::kNoPrivateChat}) {
    EXPECT_FALSE(ErrorPhrase(code).empty());
  }
  EXPECT_EQ(ErrorPhrase(ErrorCode::kNotInRoom), "Not In Room");
  EXPECT_EQ(ErrorPhrase(ErrorCode::kNoPrivateChat), "No Private Chat");
}

}  // namespace
}  // namespace chat::protocol
