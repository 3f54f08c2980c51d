// The manual pages: every page under man/ is clean under mandoc's linter, and
// the pages name what users rely on (every option, verb and error phrase).
// Runs from the repository root, where the Makefile starts every test.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/subprocess.h"

namespace chat::test {
namespace {

constexpr char kMandoc[] = "/usr/bin/mandoc";
constexpr char kManDir[] = "man";

struct MandocRun {
  int status = -1;  // wait status
  std::string out;
  std::string err;
};

// Runs mandoc with `args`, collecting everything it prints.
MandocRun RunMandoc(const std::vector<std::string>& args) {
  MandocRun run;
  auto mandoc = Subprocess::Start(kMandoc, args);
  // Read stdout to its end first: mandoc's diagnostics are short, so stderr
  // cannot fill its pipe while we do.
  EXPECT_TRUE(mandoc->out().ReadToEof(&run.out)) << "mandoc stdout timed out";
  EXPECT_TRUE(mandoc->err().ReadToEof(&run.err)) << "mandoc stderr timed out";
  auto status = mandoc->Wait();
  EXPECT_TRUE(status.has_value()) << "mandoc did not exit";
  run.status = status.value_or(-1);
  return run;
}

// The page as a reader sees it: rendered, overstrike (bold, underline)
// removed, every run of white space one space, so a phrase wrapped across
// lines is still found.
std::string RenderedText(const std::string& page) {
  MandocRun run = RunMandoc({"-Tascii", "-O", "width=1000", page});
  EXPECT_EQ(run.status, 0) << "mandoc could not render " << page << ": "
                           << run.err;
  std::string plain;
  for (char c : run.out) {
    if (c == '\b') {
      if (!plain.empty()) plain.pop_back();
      continue;
    }
    bool space = c == ' ' || c == '\t' || c == '\n';
    if (space && (plain.empty() || plain.back() == ' ')) continue;
    plain += space ? ' ' : c;
  }
  return plain;
}

// True if `word` appears in `text` as a whole word: not inside a longer
// word or option ("-q" is not found in "--quiet", "OK" not in "OKAY").
bool MentionsWord(std::string_view text, std::string_view word) {
  auto is_word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  };
  for (size_t at = text.find(word); at != std::string_view::npos;
       at = text.find(word, at + 1)) {
    size_t end = at + word.size();
    bool starts = at == 0 || !is_word_char(text[at - 1]);
    bool ends = end == text.size() || !is_word_char(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

std::vector<std::string> ManPages() {
  std::vector<std::string> pages;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(kManDir, error)) {
    auto extension = entry.path().extension();
    if (extension == ".1" || extension == ".7") {
      pages.push_back(entry.path().string());
    }
  }
  std::sort(pages.begin(), pages.end());
  return pages;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The error phrases of the protocol, as its specification lists them.
constexpr std::string_view kErrorPhrases[] = {
    "Unregistered User",
    "Unknown Recipient",
    "Unknown Message",
    "Bad Syntax",
    "Invalid Username",
    "Username Taken",
    "Already Registered",
    "Too Many Users",
    "Too Many Connections",
    "Line Too Long",
    "Invalid Text",
    "Send Queue Exceeded",
    // Version 2: accounts, offline delivery, history.
    "Unavailable",
    "Name Reserved",
    "Login Failed",
    "Too Many Attempts",
    "Invalid Password",
    "No Account",
    "Mailbox Full",
};

// Every verb, requests, answers and pushes alike.
constexpr std::string_view kVerbs[] = {
    "HELLO",
    "JOIN",
    "LIST",
    "MESG",
    "BCST",
    "QUIT",
    "PING",
    "PONG",
    "OK",
    "ERR",
    "JOINED",
    "LEFT",
    "BYE",
    // Version 2: accounts, offline delivery, history.
    "REGISTER",
    "LOGIN",
    "PASSWORD",
    "UNREGISTER",
    "OFFLINE",
    "HISTORY",
};

constexpr std::string_view kServerOptions[] = {
    "--port",
    "--bind",
    "--max-users",
    "--max-connections",
    "--send-queue",
    "--max-per-address",
    "--connect-rate",
    "--max-users-per-address",
    "--limit-loopback",
    "--exempt",
    "--keepalive-idle",
    "--keepalive-interval",
    "--keepalive-count",
    "--join-timeout",
    "-q",
    "--quiet",
    "-v",
    "--verbose",
    "--version",
    "--help",
    "--data-dir",
    "--ephemeral",
    "--mailbox",
    "--mailbox-days",
    "--history-days",
    "--max-file-size",
    "--file-offer-timeout",
    "--file-stall-timeout",
};

class ManPageTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::is_directory(kManDir))
        << "no man/ directory here: run the tests from the repository root";
    ASSERT_EQ(access(kMandoc, X_OK), 0)
        << kMandoc << " is missing (Debian package mandoc)";
  }
};

TEST_F(ManPageTest, ServerAndProtocolPagesExist) {
  auto pages = ManPages();
  for (const char* page : {"man/chat-server.1", "man/chat-protocol.7"}) {
    EXPECT_NE(std::find(pages.begin(), pages.end(), page), pages.end())
        << "expected " << page << " among the man pages";
  }
}

TEST_F(ManPageTest, EveryPageIsCleanUnderMandocLint) {
  auto pages = ManPages();
  ASSERT_FALSE(pages.empty()) << "no man/*.1 or man/*.7 pages found";
  for (const auto& page : pages) {
    MandocRun run = RunMandoc({"-Tlint", "-W", "warning", page});
    EXPECT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0)
        << "mandoc -Tlint -W warning " << page << " should exit 0; wait status "
        << run.status;
    EXPECT_EQ(run.out + run.err, "")
        << "mandoc -Tlint -W warning " << page << " should print nothing";
  }
}

TEST_F(ManPageTest, ServerPageNamesEveryOption) {
  std::string text = RenderedText("man/chat-server.1");
  for (const auto& option : kServerOptions) {
    EXPECT_TRUE(MentionsWord(text, option))
        << "chat-server.1 should document " << option;
  }
  for (const char* section : {"SYNOPSIS", "OPTIONS", "STATUS OUTPUT", "SIGNALS",
                              "EXIT STATUS", "EXAMPLES", "SEE ALSO"}) {
    EXPECT_NE(text.find(section), std::string::npos)
        << "chat-server.1 should have a section " << section;
  }
  EXPECT_NE(text.find("listening on"), std::string::npos)
      << "chat-server.1 should show the 'listening on' line";
}

TEST_F(ManPageTest, ProtocolPageNamesEveryErrorPhrase) {
  std::string text = RenderedText("man/chat-protocol.7");
  for (const auto& phrase : kErrorPhrases) {
    EXPECT_NE(text.find(phrase), std::string::npos)
        << "chat-protocol.7 should name the error phrase '" << phrase << "'";
  }
}

TEST_F(ManPageTest, ProtocolPageNamesEveryVerb) {
  std::string text = RenderedText("man/chat-protocol.7");
  for (const auto& verb : kVerbs) {
    EXPECT_TRUE(MentionsWord(text, verb))
        << "chat-protocol.7 should name the verb " << verb;
  }
}

// The sections of version 2 that the server implements.
constexpr std::string_view kVersion2Sections[] = {
    "Accounts", "Offline delivery",         "History",
    "Rooms",    "Private-message requests", "File transfer",
};

// Where the protocol specification is at hand (in the tree, or in the shared
// folder beside the repository), the page must list every error phrase of
// its table and every line of its example.
TEST_F(ManPageTest, ProtocolPageFollowsTheSpecificationInTheTree) {
  std::string spec_path;
  for (const char* candidate :
       {"PROTOCOL.md", "docs/PROTOCOL.md", "../shared/PROTOCOL.md"}) {
    if (std::filesystem::exists(candidate)) spec_path = candidate;
  }
  if (spec_path.empty()) GTEST_SKIP() << "no PROTOCOL.md at hand";
  std::string text = RenderedText("man/chat-protocol.7");
  std::istringstream spec(ReadFile(spec_path));
  std::string line;
  bool seen_version_2 = false;
  bool in_phrases = false, in_example = false, implemented = true;
  int phrases = 0, example_lines = 0;
  while (std::getline(spec, line)) {
    if (line.rfind("## ", 0) == 0 || line.rfind("# ", 0) == 0) {
      in_phrases = false;
      // Version 1's sections, and those of version 2 the server implements
      // (each lands with its chat-protocol(7) text).
      implemented =
          line.rfind("# ", 0) != 0 &&
          (std::find(std::begin(kVersion2Sections), std::end(kVersion2Sections),
                     line.substr(3)) != std::end(kVersion2Sections) ||
           !seen_version_2);
    }
    if (line.rfind("# Version 2", 0) == 0) seen_version_2 = true;
    if (implemented && (line.rfind("Error phrases", 0) == 0 ||
                        line.rfind("| phrase | when |", 0) == 0)) {
      in_phrases = true;
    } else if (line.rfind("|", 0) != 0 && !line.empty() &&
               line.rfind("Error phrases", 0) != 0) {
      in_phrases = false;
    }
    if (line.rfind("## Example", 0) == 0) in_example = true;
    if (in_phrases && line.rfind("| `", 0) == 0) {
      std::string phrase = line.substr(3, line.find('`', 3) - 3);
      ++phrases;
      EXPECT_NE(text.find(phrase), std::string::npos)
          << "chat-protocol.7 should name the error phrase '" << phrase
          << "' of " << spec_path;
    }
    if (in_example &&
        (line.rfind("S: ", 0) == 0 || line.rfind("C: ", 0) == 0)) {
      ++example_lines;
      EXPECT_NE(text.find(line), std::string::npos)
          << "chat-protocol.7 should show the example line '" << line << "'";
    }
  }
  // Version 1's table alone has 12; version 2's tables add more (some of
  // its phrases, such as Mailbox Full, are named in the text instead).
  EXPECT_GE(phrases, 12) << "found too few error phrases in " << spec_path;
  EXPECT_GT(example_lines, 0) << "found no example session in " << spec_path;
}

// Rooms and private-message requests (version 2): their verbs, pushes,
// error phrases and the server's options.
TEST_F(ManPageTest, PagesCoverRoomsAndRequests) {
  std::string protocol = RenderedText("man/chat-protocol.7");
  for (std::string_view word :
       {"PART", "ROOMS", "PRIVACY", "INVITE", "ACCEPT", "REJECT", "END",
        "CHATS", "ACCEPTED", "REJECTED", "ENDED"}) {
    EXPECT_TRUE(MentionsWord(protocol, word))
        << "chat-protocol.7 should name the verb " << word;
  }
  for (std::string_view phrase :
       {"Invalid Room", "Unknown Room", "Not In Room", "Already In Room",
        "Too Many Rooms", "Not Accepted", "No Invitation", "No Private Chat"}) {
    EXPECT_NE(protocol.find(phrase), std::string::npos)
        << "chat-protocol.7 should name the error phrase '" << phrase << "'";
  }
  std::string server = RenderedText("man/chat-server.1");
  for (std::string_view option : {"--max-rooms", "--privacy"}) {
    EXPECT_TRUE(MentionsWord(server, option))
        << "chat-server.1 should document " << option;
  }
}

}  // namespace
}  // namespace chat::test
