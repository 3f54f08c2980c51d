// Command line: HOST PORT by position or by name, --user, --no-color, and
// the exit statuses of --help, --version and usage errors.
#include "client/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "client/app.h"
#include "client/exit_code.h"

namespace chat::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Parsed {
  std::variant<Options, int> result;
  std::string out;
  std::string err;
};

Parsed Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "chat-client");
  std::ostringstream out, err;
  Parsed parsed{
      ParseOptions(static_cast<int>(args.size()), args.data(), out, err), "",
      ""};
  parsed.out = out.str();
  parsed.err = err.str();
  return parsed;
}

TEST(OptionsTest, HostAndPortByPosition) {
  const Parsed p = Parse({"localhost", "8001"});
  const auto& options = std::get<Options>(p.result);
  EXPECT_EQ(options.host, "localhost");
  EXPECT_EQ(options.port, 8001);
  EXPECT_FALSE(options.user.has_value());
  EXPECT_FALSE(options.no_color);
}

TEST(OptionsTest, HostAndPortByNameWithUserAndNoColor) {
  const Parsed p = Parse(
      {"--host", "::1", "--port", "9000", "--user", "Alice", "--no-color"});
  const auto& options = std::get<Options>(p.result);
  EXPECT_EQ(options.host, "::1");
  EXPECT_EQ(options.port, 9000);
  EXPECT_EQ(options.user, "Alice");
  EXPECT_TRUE(options.no_color);
}

TEST(OptionsTest, BadPortIsAUsageError) {
  for (const char* port : {"0", "65536", "http", "-1"}) {
    const Parsed p = Parse({"localhost", port});
    ASSERT_TRUE(std::holds_alternative<int>(p.result)) << "port " << port;
    EXPECT_EQ(std::get<int>(p.result), kExitUsage) << "port " << port;
    EXPECT_FALSE(p.err.empty());
  }
}

TEST(OptionsTest, MissingPortOrUnknownOptionIsAUsageError) {
  EXPECT_EQ(std::get<int>(Parse({"localhost"}).result), kExitUsage);
  EXPECT_EQ(std::get<int>(Parse({}).result), kExitUsage);
  EXPECT_EQ(std::get<int>(Parse({"localhost", "1", "--colour"}).result),
            kExitUsage);
  EXPECT_EQ(std::get<int>(Parse({"localhost", "1", "--host", "x"}).result),
            kExitUsage);
}

TEST(OptionsTest, UserThatIsNotAValidUsernameIsAUsageError) {
  const std::string too_long(33, 'a');
  for (const char* name : {"", "B@d", "two words", too_long.c_str()}) {
    const Parsed p = Parse({"localhost", "8001", "--user", name});
    ASSERT_TRUE(std::holds_alternative<int>(p.result)) << "name " << name;
    EXPECT_EQ(std::get<int>(p.result), kExitUsage) << "name " << name;
    EXPECT_THAT(p.err, HasSubstr("not a valid username")) << "name " << name;
  }
  EXPECT_EQ(std::get<Options>(Parse({"h", "1", "--user", "Al1ce"}).result).user,
            "Al1ce");
}

TEST(OptionsTest, HelpAndVersionPrintAndExitZero) {
  const Parsed help = Parse({"--help"});
  EXPECT_EQ(std::get<int>(help.result), 0);
  EXPECT_THAT(help.out, HasSubstr("--user"));
  const Parsed version = Parse({"--version"});
  EXPECT_EQ(std::get<int>(version.result), 0);
  EXPECT_EQ(version.out, "chat-client 1.0\n");
}

TEST(OptionsTest, TheProgramNamesItselfAsStarted) {
  std::ostringstream out, err;
  const char* help[] = {"./client", "--help"};
  EXPECT_EQ(std::get<int>(ParseOptions(2, help, out, err)), 0);
  EXPECT_EQ(out.str().rfind("usage: client [OPTIONS] HOST PORT\n", 0), 0u)
      << out.str();
  out.str("");
  const char* version[] = {"/usr/local/bin/client", "--version"};
  EXPECT_EQ(std::get<int>(ParseOptions(2, version, out, err)), 0);
  EXPECT_EQ(out.str(), "client (chat-client) 1.0\n");
}

TEST(OptionsTest, NoArgumentsSaysHostAndPortAreNeeded) {
  const Parsed none = Parse({});
  EXPECT_EQ(std::get<int>(none.result), kExitUsage);
  EXPECT_EQ(none.err.rfind("chat-client: HOST and PORT are required", 0), 0u)
      << none.err;
  EXPECT_THAT(none.err, HasSubstr("usage: chat-client [OPTIONS] HOST PORT\n"));
  EXPECT_THAT(none.err, Not(HasSubstr("--host is required")));
  EXPECT_EQ(
      Parse({"localhost"}).err.rfind("chat-client: a PORT is required", 0), 0u);
}

TEST(OptionsTest, BadOptionIsOneLineNamingProgramOptionAndHelp) {
  const Parsed p = Parse({"localhost", "8001", "--colour"});
  EXPECT_EQ(p.err,
            "chat-client: unknown option --colour; see chat-client --help\n");
  const Parsed port = Parse({"localhost", "http"});
  EXPECT_THAT(port.err, HasSubstr("chat-client: --port: "));
  EXPECT_EQ(std::count(port.err.begin(), port.err.end(), '\n'), 1);
}

TEST(OptionsTest, HelpShowsHostAndPortOnce) {
  const Parsed help = Parse({"--help"});
  EXPECT_EQ(help.out.find("Positionals"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("REQUIRED"), std::string::npos) << help.out;
  EXPECT_THAT(help.out, HasSubstr("--host HOST"));
}

TEST(OptionsTest, BracketedIpv6LiteralIsTheAddress) {
  EXPECT_EQ(std::get<Options>(Parse({"[::1]", "8001"}).result).host, "::1");
  EXPECT_EQ(std::get<Options>(Parse({"--host", "[fe80::1]", "1"}).result).host,
            "fe80::1");
  EXPECT_EQ(std::get<Options>(Parse({"::1", "8001"}).result).host, "::1");
}

// NO_COLOR and TERM are read from the environment; each case sets them and
// puts the old values back.
class ColorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Save("NO_COLOR", &no_color_);
    Save("TERM", &term_);
    unsetenv("NO_COLOR");
    setenv("TERM", "xterm", 1);
  }
  void TearDown() override {
    Put("NO_COLOR", no_color_);
    Put("TERM", term_);
  }
  static void Save(const char* name, std::optional<std::string>* value) {
    const char* v = getenv(name);
    if (v != nullptr) *value = v;
  }
  static void Put(const char* name, const std::optional<std::string>& value) {
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  std::optional<std::string> no_color_, term_;
};

TEST_F(ColorTest, ColourOnlyOnAnInteractiveTerminalWithoutOptOut) {
  EXPECT_TRUE(WantColor(true, false));
  EXPECT_FALSE(WantColor(false, false));  // piped or scripted
  EXPECT_FALSE(WantColor(true, true));    // --no-color
  setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(WantColor(true, false));
  setenv("NO_COLOR", "", 1);  // empty means unset, per no-color.org
  EXPECT_TRUE(WantColor(true, false));
  setenv("TERM", "dumb", 1);
  EXPECT_FALSE(WantColor(true, false));
}

}  // namespace
}  // namespace chat::client
