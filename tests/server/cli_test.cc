// The command line: usage without a port, one-line errors with status 2 for
// bad values, --help/--version, start-up failures (status 1), and the
// "listening on" line. Both the real program and ParseCommandLine itself.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "server/options.h"
#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

struct Outcome {
  int exit_status = -1;
  std::string out;
  std::string err;
};

// Runs ./server with `args` to its end (it must end by itself).
Outcome RunServer(const std::vector<std::string>& args) {
  auto process = Subprocess::Start(ProgramPath("server"), args);
  Outcome run;
  EXPECT_TRUE(process->out().ReadToEof(&run.out));
  EXPECT_TRUE(process->err().ReadToEof(&run.err));
  auto status = process->Wait();
  if (status && WIFEXITED(*status)) run.exit_status = WEXITSTATUS(*status);
  return run;
}

size_t LineCount(const std::string& text) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

TEST(CliTest, NoPortSaysSoThenPrintsUsageAndExitsWith2) {
  Outcome run = RunServer({});
  EXPECT_EQ(run.exit_status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err.rfind("server: a PORT is required (0 picks any free one)\n"
                          "usage: server [OPTIONS] PORT\n",
                          0),
            0u)
      << run.err;
  for (const char* option :
       {"--port", "--bind", "--max-users", "--max-connections", "--send-queue",
        "--join-timeout", "--quiet", "--verbose", "--version", "--help"}) {
    EXPECT_NE(run.err.find(option), std::string::npos) << option;
  }
}

TEST(CliTest, BadValuesGiveOneLineAndExitWith2) {
  const std::vector<std::vector<std::string>> cases = {
      {"--max-users", "0", "8000"},
      {"--port", "99999"},
      {"99999"},
      {"8000", "--send-queue", "abc"},
      {"8000", "--max-connections", "0"},
      {"8000", "--join-timeout", "0"},
      {"8000", "--no-such-option"},
      {"8000", "-q", "-v"},
      {"8000", "9000"},
  };
  for (const auto& args : cases) {
    Outcome run = RunServer(args);
    std::string shown;
    for (const auto& arg : args) shown += arg + " ";
    EXPECT_EQ(run.exit_status, 2) << shown;
    EXPECT_EQ(LineCount(run.err), 1u) << shown << "-> " << run.err;
    EXPECT_EQ(run.err.rfind("server: ", 0), 0u) << shown << "-> " << run.err;
    EXPECT_NE(run.err.find("; see server --help\n"), std::string::npos)
        << shown << "-> " << run.err;
    EXPECT_EQ(run.out, "") << shown;
  }
  EXPECT_EQ(RunServer({"8000", "--no-such-option"}).err,
            "server: unknown option --no-such-option; see server --help\n");
  EXPECT_EQ(RunServer({"8000", "9000"}).err,
            "server: unexpected argument 9000; see server --help\n");
}

TEST(CliTest, HelpAndVersionExitWith0) {
  Outcome help = RunServer({"--help"});
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_EQ(help.out.rfind("usage: server [OPTIONS] PORT\n", 0), 0u);
  EXPECT_EQ(help.err, "");
  // PORT and --port are one value, shown once; no CLI11 clutter.
  EXPECT_EQ(help.out.find("Positionals"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("Excludes"), std::string::npos) << help.out;
  Outcome version = RunServer({"--version"});
  EXPECT_EQ(version.exit_status, 0);
  EXPECT_EQ(version.out, "server (chat-server) 1.0\n");
}

// Installed, the program is chat-server and says so everywhere.
TEST(CliTest, InstalledNameIsUsedInUsageErrorsAndVersion) {
  char dir[] = "/tmp/chat-cli-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string link = std::string(dir) + "/chat-server";
  ASSERT_EQ(symlink(std::filesystem::absolute(ProgramPath("server")).c_str(),
                    link.c_str()),
            0);
  auto run = [&](const std::vector<std::string>& args) {
    auto process = Subprocess::Start(link, args);
    Outcome outcome;
    EXPECT_TRUE(process->out().ReadToEof(&outcome.out));
    EXPECT_TRUE(process->err().ReadToEof(&outcome.err));
    process->Wait();
    return outcome;
  };
  EXPECT_EQ(run({"--version"}).out, "chat-server 1.0\n");
  EXPECT_EQ(run({"--help"}).out.rfind("usage: chat-server [OPTIONS] PORT\n", 0),
            0u);
  EXPECT_EQ(run({"1", "--bogus"}).err,
            "chat-server: unknown option --bogus; see chat-server --help\n");
  EXPECT_EQ(run({}).err.rfind("chat-server: a PORT is required", 0), 0u);
  EXPECT_EQ(run({"0", "--bind", "no.such.host.invalid"})
                .err.rfind("chat-server: --bind no.such.host.invalid: ", 0),
            0u);
  unlink(link.c_str());
  rmdir(dir);
}

TEST(CliTest, PortInUseIsOneLineAndExitStatus1) {
  auto first = ServerProcess::Start({"--bind", "127.0.0.1"});
  ASSERT_NE(first, nullptr);
  Outcome run =
      RunServer({std::to_string(first->port()), "--bind", "127.0.0.1"});
  EXPECT_EQ(run.exit_status, 1);
  EXPECT_EQ(run.err, "server: bind 127.0.0.1:" + std::to_string(first->port()) +
                         ": Address already in use\n");
}

TEST(CliTest, UnresolvableBindAddressIsOneLineAndExitStatus1) {
  Outcome run = RunServer({"0", "--bind", "no.such.host.invalid"});
  EXPECT_EQ(run.exit_status, 1);
  EXPECT_EQ(LineCount(run.err), 1u) << run.err;
  EXPECT_EQ(run.err.rfind("server: --bind no.such.host.invalid: ", 0), 0u)
      << run.err;
}

TEST(CliTest, ListeningLineShowsTheRealPort) {
  auto process =
      Subprocess::Start(ProgramPath("server"),
                        {"--port", "0", "--bind", "127.0.0.1", "--ephemeral"});
  auto line = process->WaitForStdout("listening on ");
  ASSERT_TRUE(line);
  ASSERT_EQ(line->rfind("listening on 127.0.0.1:", 0), 0u) << *line;
  auto port = static_cast<uint16_t>(std::stoi(line->substr(23)));
  EXPECT_GT(port, 0);
  auto client = Connection::Open(port);
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(
      NextLineIs(*client, "HELLO chat-server 1.0; send JOIN <username>"));
}

TEST(CliTest, DefaultListensOnEveryAddress) {
  auto process = Subprocess::Start(ProgramPath("server"), {"0", "--ephemeral"});
  auto line = process->WaitForStdout("listening on ");
  ASSERT_TRUE(line);
  EXPECT_TRUE(line->rfind("listening on [::]:", 0) == 0 ||
              line->rfind("listening on 0.0.0.0:", 0) == 0)
      << *line;
}

// --- ParseCommandLine, without a process ------------------------------------

server::ParsedCommandLine Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "server");
  return server::ParseCommandLine(static_cast<int>(args.size()), args.data());
}

TEST(ParseCommandLineTest, DefaultsMatchTheDocumentation) {
  auto parsed = Parse({"8001"});
  ASSERT_TRUE(parsed.options);
  const server::Options& options = *parsed.options;
  EXPECT_EQ(options.port, 8001);
  EXPECT_EQ(options.bind, "");
  EXPECT_EQ(options.max_users, 10u);
  EXPECT_EQ(options.max_connections, 256u);
  EXPECT_EQ(options.send_queue, 1u << 20);
  EXPECT_EQ(options.join_timeout_seconds, 60u);
  EXPECT_EQ(options.log_level, server::LogLevel::kInfo);
}

TEST(ParseCommandLineTest, EveryOptionIsTaken) {
  auto parsed = Parse({"--port", "0", "--bind", "::1", "--max-users", "3",
                       "--max-connections", "7", "--send-queue", "9000",
                       "--join-timeout", "5", "-v"});
  ASSERT_TRUE(parsed.options) << parsed.err;
  const server::Options& options = *parsed.options;
  EXPECT_EQ(options.port, 0);
  EXPECT_EQ(options.bind, "::1");
  EXPECT_EQ(options.max_users, 3u);
  EXPECT_EQ(options.max_connections, 7u);
  EXPECT_EQ(options.send_queue, 9000u);
  EXPECT_EQ(options.join_timeout_seconds, 5u);
  EXPECT_EQ(options.log_level, server::LogLevel::kVerbose);
  EXPECT_EQ(Parse({"1", "--quiet"}).options->log_level,
            server::LogLevel::kError);
}

// A repeatable option takes one value each time: the PORT after it stays
// the port rather than becoming one more origin.
TEST(ParseCommandLineTest, PortAfterWebOriginIsThePort) {
  auto parsed =
      Parse({"--web-port", "0", "--web-origin", "https://chat.example.org",
             "--web-origin", "http://10.0.0.5:8080", "8001"});
  ASSERT_TRUE(parsed.options) << parsed.err;
  EXPECT_EQ(parsed.options->port, 8001);
  EXPECT_EQ(parsed.options->web_origins,
            (std::vector<std::string>{"https://chat.example.org",
                                      "http://10.0.0.5:8080"}));
}

TEST(ParseCommandLineTest, OutOfRangeValuesAreRefused) {
  for (auto args : std::vector<std::vector<const char*>>{
           {"65536"},
           {"-1"},
           {"1", "--max-users", "100001"},
           {"1", "--max-connections", "65537"},
           {"1", "--send-queue", "8191"},
           {"1", "--join-timeout", "86401"},
       }) {
    auto parsed = Parse(args);
    EXPECT_FALSE(parsed.options) << args.back();
    EXPECT_EQ(parsed.exit_status, server::kExitUsage) << args.back();
  }
}

}  // namespace
}  // namespace chat::test
