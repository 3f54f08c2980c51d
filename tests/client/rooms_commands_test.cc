// Rooms, /talk, private-message requests and Chat77's syntax in the client:
// each typed form becomes exactly one request (never a broadcast of the
// typed words), checked in the command table and on the wire, against a
// listening socket standing in for the server; and what the user sees of
// rooms and requests, against a real server.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "client/command_table.h"
#include "client/completion.h"
#include "client_process.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/line_reader.h"
#include "support/server_process.h"

namespace chat::test {
namespace {

using ::testing::Contains;
using ::testing::IsSupersetOf;

// Typed line -> the request the client must send for it.
const std::vector<std::pair<std::string, std::string>> kForms = {
    // Chat77.
    {"connect to Bob", "INVITE Bob"},
    {"accept connection Bob", "ACCEPT Bob"},
    {"reject connection Bob", "REJECT Bob"},
    {"end private Bob", "END Bob"},
    {"my private chats", "CHATS"},
    {"private txt Bob hi there", "MESG Bob hi there"},
    {"bdct txt hello all", "BCST hello all"},
    {"online clients", "LIST"},
    // IRC and group chats.
    {"/join #lunch", "JOIN #lunch"},
    {"/join lunch", "JOIN #lunch"},
    {"/part #lunch", "PART #lunch"},
    {"/rooms", "ROOMS"},
    {"/who #lunch", "LIST #lunch"},
    {"/who", "LIST"},
    {"/msg #lunch pizza?", "MESG #lunch pizza?"},
    {"#lunch:pizza?", "MESG #lunch pizza?"},
    {"/invite Bob", "INVITE Bob"},
    {"/accept Bob", "ACCEPT Bob"},
    {"/reject Bob", "REJECT Bob"},
    {"/end Bob", "END Bob"},
    {"/chats", "CHATS"},
    {"/privacy ask", "PRIVACY ask"},
    {"/privacy open", "PRIVACY open"},
    // The console chat design's private message, with a comma.
    {"!private Bob, see you", "MESG Bob see you"},
    {"!private Bob see you", "MESG Bob see you"},
};

TEST(RoomsCommandTableTest, EveryFormBecomesItsRequest) {
  for (const auto& [typed, request] : kForms) {
    client::Command command = client::ParseInput(typed);
    EXPECT_EQ(command.request, request) << "typed: " << typed;
    EXPECT_FALSE(command.plain) << "typed: " << typed;
  }
  EXPECT_EQ(client::ParseInput("/talk #lunch").action, client::Action::kTalk);
  EXPECT_EQ(client::ParseInput("/talk #lunch").name, "#lunch");
  EXPECT_EQ(client::ParseInput("/talk").name, "");
  EXPECT_EQ(client::ParseInput("/talk b@d").action, client::Action::kUsage);
  EXPECT_EQ(client::ParseInput("/who bob").action, client::Action::kUsage);
  EXPECT_TRUE(client::ParseInput("just chatting").plain);
}

// Tab completes rooms as it completes names ("#lu" -> "#lunch").
TEST(RoomsCommandTableTest, TabCompletesRoomNames) {
  const std::vector<std::string> known = {"Bob", "#lunch", "#Lobby"};
  EXPECT_EQ(client::Completions("#lu", false, known),
            std::vector<std::string>{"#lunch"});
  EXPECT_EQ(client::Completions("#l", false, known),
            (std::vector<std::string>{"#lunch", "#Lobby"}));
}

// A socket that plays the server: greets, accepts the JOIN, and reads
// requests one by one.
class FakeServer {
 public:
  FakeServer() {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&address), length),
              0);
    EXPECT_EQ(listen(listener_, 1), 0);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~FakeServer() {
    if (client_ >= 0) close(client_);
    close(listener_);
  }
  uint16_t port() const { return port_; }
  bool Accept() {
    client_ = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client_ < 0) return false;
    reader_.emplace(client_);
    return true;
  }
  std::optional<std::string> ReadRequest() { return reader_->ReadLine(); }
  void Send(const std::string& line) {
    std::string bytes = line + "\n";
    EXPECT_EQ(write(client_, bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }

 private:
  int listener_ = -1;
  int client_ = -1;
  uint16_t port_ = 0;
  std::optional<LineReader> reader_;
};

TEST(RoomsCommandsOnTheWireTest, EachTypedFormSendsExactlyItsRequest) {
  FakeServer server;
  auto alice = StartClient(server.port(), {"--user", "Alice"});
  ASSERT_TRUE(server.Accept());
  server.Send("HELLO fake");
  ASSERT_EQ(server.ReadRequest(), "JOIN Alice");
  server.Send("OK JOIN Alice");

  std::vector<std::pair<std::string, std::string>> forms = kForms;
  // /talk sends nothing itself; the plain lines after it go to its target.
  forms.push_back({"/talk #lunch", ""});
  forms.push_back({"pizza at one?", "MESG #lunch pizza at one?"});
  forms.push_back({"/talk Bob", ""});
  forms.push_back({"just you", "MESG Bob just you"});
  forms.push_back({"/talk", ""});
  forms.push_back({"everyone again", "BCST everyone again"});
  forms.push_back({"exit", "QUIT"});
  for (const auto& [typed, request] : forms) {
    ASSERT_TRUE(alice->WriteStdin(typed + "\n"));
    if (request.empty()) continue;
    auto sent = server.ReadRequest();
    ASSERT_TRUE(sent.has_value()) << "nothing sent for: " << typed;
    EXPECT_EQ(*sent, request) << "typed: " << typed;
    if (request == "QUIT") {
      server.Send("OK QUIT");
    } else {
      server.Send("PONG");  // an answer, so the client goes on
    }
  }
  alice->CloseStdin();
  EXPECT_EQ(ExitCode(*alice), 0);
}

// Against a real server: rooms, invitations and chats as the user sees
// them, and the quitter's farewell.
TEST(RoomsClientTest, RoomsAndRequestsShowAsClientMdSays) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  auto bob = ConnectAndJoin(server->port(), "Bob");
  ASSERT_NE(bob, nullptr);
  bob->Send("JOIN #lunch\nINVITE Alice\n");
  ASSERT_TRUE(NextLinesAre(*bob, {"OK JOIN #lunch"}));
  // INVITE before Alice is there: Unknown Recipient; asked again below.
  ASSERT_TRUE(bob->SkipUntil("ERR Unknown Recipient: Alice"));

  auto alice = StartClient(server->port(), {"--user", "Alice"});
  ASSERT_TRUE(bob->SkipUntil("JOINED Alice"));
  bob->SendLine("INVITE Alice");
  ASSERT_TRUE(bob->SkipUntil("OK INVITE Alice"));
  ASSERT_TRUE(alice->WriteStdin("/join #lunch\n"));
  ASSERT_TRUE(bob->SkipUntil("JOINED #lunch Alice"));
  bob->SendLine("MESG #lunch pizza?");
  ASSERT_TRUE(bob->SkipUntil("OK MESG #lunch 1"));
  ASSERT_TRUE(alice->WriteStdin(
      "#lunch:yes\n/who #lunch\n/rooms\n/accept Bob\n/chats\n"));
  ASSERT_TRUE(bob->SkipUntil("MESG #lunch Alice yes"));
  ASSERT_TRUE(bob->SkipUntil("ACCEPTED Alice"));
  bob->SendLine("END Alice");
  ASSERT_TRUE(bob->SkipUntil("OK END Alice"));
  ASSERT_TRUE(alice->WriteStdin("/privacy ask\n"));
  alice->CloseStdin();
  ASSERT_TRUE(bob->SkipUntil("LEFT Alice"));

  auto lines = ReadAllLines(*alice);
  EXPECT_THAT(lines,
              IsSupersetOf({"Bob asks to chat privately: /accept Bob or "
                            "/reject Bob",
                            "You are in #lunch (/talk #lunch to write there)",
                            "[#lunch] Bob: pizza?", "[#lunch] Alice: yes",
                            "#lunch:", "Rooms (1):", "  #lunch (2)",
                            "You accepted Bob: you can now chat privately",
                            "Private chats: Bob", "Bob ended the private chat",
                            "Privacy: ask (only users you accept may send "
                            "you private messages)",
                            "Alice is quitting the chat server"}))
      << testing::PrintToString(lines);
  EXPECT_EQ(ExitCode(*alice), 0);
}

}  // namespace
}  // namespace chat::test
