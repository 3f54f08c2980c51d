// The status log as chat-server(1) documents it: every line a real server
// writes during a session with the common events (connections, JOINs taken
// and refused, requests good and bad, departures, reaping, shutdown) has the
// documented form, one of the event lines listed under STATUS OUTPUT. The
// patterns are read from man/chat-server.1 itself, so the page and the
// program cannot drift apart unnoticed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

std::string RegexEscaped(std::string_view text) {
  static const std::string kSpecial = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : text) {
    if (kSpecial.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

bool IsClosingDelimiter(std::string_view word) {
  return word == "." || word == "," || word == ":" || word == ";" ||
         word == ")" || word == "]" || word == "?" || word == "!";
}

// One ".It" line of the event list as a regex of what it prints: literal
// words (Li, No) as they are, each Ar word as a placeholder, Ns joining two
// words, Op making the rest of the line optional, and mdoc's spacing around
// punctuation.
std::string PatternOf(const std::string& item) {
  std::istringstream words(item.substr(4));  // after ".It "
  std::string word, pattern;
  bool argument = false, no_space = true, optional = false;
  while (words >> word) {
    if (word == "Li" || word == "No") {
      argument = false;
      continue;
    }
    if (word == "Ar") {
      argument = true;
      continue;
    }
    if (word == "Ns") {
      no_space = true;
      continue;
    }
    if (word == "Op") {
      pattern += "(?:";
      optional = true;
      argument = false;
      continue;
    }
    const bool closing = IsClosingDelimiter(word);
    if (!no_space && !closing) pattern += ' ';
    std::string text = word;
    for (size_t at; (at = text.find("\\&")) != std::string::npos;) {
      text.erase(at, 2);
    }
    pattern += argument ? std::string("\\S.*?") : RegexEscaped(text);
    no_space = word == "(" || word == "[";
  }
  if (optional) pattern += ")?";
  return pattern;
}

// The ".It" lines of the list that follows "The events, with" in
// chat-server(1).
std::vector<std::string> DocumentedEvents() {
  std::ifstream page("man/chat-server.1");
  EXPECT_TRUE(page) << "run from the repository root";
  std::vector<std::string> items;
  std::string line;
  bool in_section = false;
  int depth = 0;
  while (std::getline(page, line)) {
    if (!in_section) {
      in_section = line.rfind("The events, with", 0) == 0;
      continue;
    }
    if (line.rfind(".Bl", 0) == 0) ++depth;
    if (line.rfind(".El", 0) == 0 && --depth == 0) break;
    if (depth == 1 && line.rfind(".It ", 0) == 0) items.push_back(line);
  }
  return items;
}

TEST(LogDocTest, PatternsAreReadFromThePage) {
  EXPECT_EQ(PatternOf(R"(.It Li LEFT Ar name Li \&( Ns Ar why Ns Li \&))"),
            R"(LEFT \S.*? \(\S.*?\))");
  EXPECT_EQ(PatternOf(".It Li bad request by Ar name Ns Li \\&: Ar phrase"),
            R"(bad request by \S.*?: \S.*?)");
  EXPECT_GE(DocumentedEvents().size(), 10u);
}

TEST(LogDocTest, EveryLineTheServerWritesIsDocumented) {
  std::vector<std::regex> events;
  std::vector<std::string> patterns;
  for (const std::string& item : DocumentedEvents()) {
    patterns.push_back(PatternOf(item));
    events.emplace_back(patterns.back());
  }
  ASSERT_FALSE(events.empty());

  const std::string data_dir = MakeTempDir();
  auto server =
      Subprocess::Start(ProgramPath("server"),
                        {"0", "--bind", "127.0.0.1", "--max-users", "2",
                         "--max-connections", "3", "--data-dir", data_dir});
  auto listening = server->WaitForStdout("listening on ");
  ASSERT_TRUE(listening);
  const auto port = static_cast<uint16_t>(
      std::stoi(listening->substr(listening->rfind(':') + 1)));
  {
    auto alice = ConnectAndJoin(port, "Alice");
    auto bob = ConnectAndJoin(port, "Bob");
    ASSERT_NE(alice, nullptr);
    ASSERT_NE(bob, nullptr);
    auto third = ConnectAndGreet(port);
    ASSERT_NE(third, nullptr);
    third->SendLine("LIST");  // a request before JOIN
    EXPECT_TRUE(NextLineIs(
        *third, "ERR Unregistered User: send JOIN <username> first"));
    third->SendLine("HELLO");  // a bad request before JOIN
    EXPECT_TRUE(NextLineIs(*third, "ERR Unknown Message: HELLO"));
    third->SendLine("JOIN Carol");  // refused: the server is full
    EXPECT_TRUE(NextLineIs(*third, "ERR Too Many Users"));
    auto fourth = Connection::Open(port);  // one connection too many
    ASSERT_NE(fourth, nullptr);
    EXPECT_TRUE(NextLineIs(*fourth, "ERR Too Many Connections"));
    EXPECT_TRUE(NextLineIs(*alice, "JOINED Bob"));
    alice->SendLine("LIST");
    EXPECT_TRUE(NextLineIs(*alice, "LIST Alice,Bob"));
    alice->SendLine("MESG Bob");  // a bad request by a user
    EXPECT_TRUE(NextLineIs(*alice, "ERR Bad Syntax: MESG <username> <text>"));
    // File transfers: complete, rejected, cancelled.
    const std::string sha(64, '0');
    alice->SendLine("FILE OFFER Bob 3 " + sha + " a.txt");
    EXPECT_TRUE(NextLineIs(*alice, "OK FILE OFFER 1"));
    EXPECT_TRUE(NextLineIs(*bob, "FILE OFFER Alice 1 3 " + sha + " a.txt"));
    bob->SendLine("FILE ACCEPT 1");
    EXPECT_TRUE(NextLineIs(*bob, "OK FILE ACCEPT 1"));
    EXPECT_TRUE(NextLineIs(*alice, "FILE ACCEPT 1"));
    alice->SendLine("FILE DATA 1 YWJj");
    alice->SendLine("FILE END 1");
    EXPECT_TRUE(NextLineIs(*alice, "OK FILE END 1"));
    EXPECT_TRUE(NextLinesAre(*bob, {"FILE DATA 1 YWJj", "FILE END 1"}));
    alice->SendLine("FILE OFFER Bob 3 " + sha + " b.txt");
    EXPECT_TRUE(NextLineIs(*alice, "OK FILE OFFER 2"));
    EXPECT_TRUE(NextLineIs(*bob, "FILE OFFER Alice 2 3 " + sha + " b.txt"));
    bob->SendLine("FILE REJECT 2");
    EXPECT_TRUE(NextLineIs(*bob, "OK FILE REJECT 2"));
    EXPECT_TRUE(NextLineIs(*alice, "FILE REJECT 2"));
    alice->SendLine("FILE OFFER Bob 3 " + sha + " c.txt");
    EXPECT_TRUE(NextLineIs(*alice, "OK FILE OFFER 3"));
    EXPECT_TRUE(NextLineIs(*bob, "FILE OFFER Alice 3 3 " + sha + " c.txt"));
    alice->SendLine("FILE CANCEL 3");
    EXPECT_TRUE(NextLineIs(*alice, "OK FILE CANCEL 3"));
    EXPECT_TRUE(NextLineIs(*bob, "FILE ABORT 3 Cancelled"));
    alice->SendLine("QUIT");
    EXPECT_TRUE(NextLineIs(*alice, "OK QUIT"));
    EXPECT_TRUE(NextLineIs(*bob, "LEFT Alice"));
  }
  server->Signal(SIGTERM);
  std::string log;
  ASSERT_TRUE(server->err().ReadToEof(&log));
  ASSERT_TRUE(server->Wait());

  // "<time> <subject>: [error: ]<event>"
  const std::regex form(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (server|store|fd \d+( pid \d+)?): (.*))");
  std::istringstream lines(log);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    std::smatch parts;
    if (!std::regex_match(line, parts, form)) {
      ADD_FAILURE() << "not a log line: " << line;
      continue;
    }
    const std::string event = parts[3];
    if (event.rfind("error: ", 0) == 0) {
      ADD_FAILURE() << "an error in a clean session: " << line;
      continue;
    }
    bool documented = false;
    for (const std::regex& pattern : events) {
      documented = documented || std::regex_match(event, pattern);
    }
    EXPECT_TRUE(documented) << "not in chat-server(1): " << event;
    ++checked;
  }
  EXPECT_GE(checked, 10) << log;
  RemoveTree(data_dir);
}

}  // namespace
}  // namespace chat::test
