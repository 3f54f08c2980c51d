// End to end: chat-bench runs each scenario at a tiny size against a real
// ./server (and rtt against ngircd when it is installed), loses nothing and
// prints one JSON line that parses.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/flat_json.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

constexpr std::chrono::milliseconds kRunTimeout{20000};

struct BenchRun {
  int exit_code = -1;
  FlatJson fields;
  std::string line;
};

// Runs chat-bench with `args` plus --json and waits for its one line.
BenchRun RunBench(const std::vector<std::string>& args) {
  BenchRun run;
  std::vector<std::string> all = args;
  all.push_back("--json");
  all.push_back("--no-progress");
  auto bench = Subprocess::Start(ProgramPath("chat-bench"), all);
  auto line = bench->out().ReadLine(kRunTimeout);
  auto status = bench->Wait(kRunTimeout);
  if (!line) {
    std::string err;
    bench->err().ReadToEof(&err, std::chrono::milliseconds(100));
    ADD_FAILURE() << "chat-bench printed no line; stderr: " << err;
    return run;
  }
  run.line = *line;
  auto fields = ParseFlatJson(*line);
  EXPECT_TRUE(fields) << "not a JSON object: " << *line;
  if (fields) run.fields = *fields;
  EXPECT_TRUE(status.has_value()) << "chat-bench did not exit";
  if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
  return run;
}

double Number(const BenchRun& run, const std::string& key) {
  auto found = run.fields.find(key);
  if (found == run.fields.end()) {
    ADD_FAILURE() << "no field " << key << " in " << run.line;
    return -1;
  }
  return std::atof(found->second.c_str());
}

void ExpectCleanRun(const BenchRun& run) {
  EXPECT_EQ(run.exit_code, 0) << run.line;
  EXPECT_EQ(Number(run, "lost"), 0) << run.line;
  EXPECT_EQ(Number(run, "errors"), 0) << run.line;
  EXPECT_EQ(run.fields.count("ok") ? run.fields.at("ok") : "", "true")
      << run.line;
}

std::unique_ptr<ServerProcess> StartServer() {
  return ServerProcess::Start({"--bind", "127.0.0.1", "--max-users", "64",
                               "--max-connections", "64", "-q"});
}

// A server too small for the run: chat-bench says so at once, with the
// option that would fix it, rather than waiting out --timeout.
TEST(BenchSmokeTest, RefusedUsersAreExplainedAtOnce) {
  auto server = ServerProcess::Start(
      {"--bind", "127.0.0.1", "--max-users", "3", "--max-connections", "64"});
  ASSERT_NE(server, nullptr);
  const auto start = std::chrono::steady_clock::now();
  BenchRun run = RunBench({"rtt", "--port", std::to_string(server->port()),
                           "--users", "10", "--timeout", "30"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.exit_code, 1) << run.line;
  EXPECT_LT(took, std::chrono::seconds(10)) << "waited for --timeout";
  ASSERT_TRUE(run.fields.count("first_problem")) << run.line;
  EXPECT_EQ(run.fields.at("first_problem"),
            "the server refused users (ERR Too Many Users): start it with "
            "--max-users 12 or more")
      << run.line;
}

TEST(BenchSmokeTest, RttWithIdleUsersEchoesEveryMessage) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto run = RunBench({"rtt", "-p", std::to_string(server->port()), "-n", "5",
                       "-m", "20", "--warmup", "2"});
  ExpectCleanRun(run);
  EXPECT_EQ(run.fields["scenario"], "rtt");
  EXPECT_EQ(run.fields["dialect"], "chat");
  EXPECT_EQ(Number(run, "expected"), 20) << run.line;
  EXPECT_EQ(Number(run, "received"), 20) << run.line;
  EXPECT_EQ(Number(run, "round_trips"), 18) << run.line;
  EXPECT_EQ(Number(run, "announced"), 7 * 6 / 2) << run.line;
  EXPECT_GT(Number(run, "p50_us"), 0) << run.line;
  EXPECT_GE(Number(run, "p99_us"), Number(run, "p50_us")) << run.line;
}

TEST(BenchSmokeTest, FanoutDeliversEveryBroadcastToEveryReceiver) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto run = RunBench({"fanout", "-p", std::to_string(server->port()), "-n",
                       "5", "-m", "20", "-w", "4"});
  ExpectCleanRun(run);
  EXPECT_EQ(Number(run, "broadcasts"), 20) << run.line;
  EXPECT_EQ(Number(run, "deliveries"), 100) << run.line;
  EXPECT_GT(Number(run, "deliveries_per_s"), 0) << run.line;
}

// fanout --room: the same fan-out as MESG to one room every user entered.
TEST(BenchSmokeTest, FanoutToARoomDeliversEveryMessageToEveryMember) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto run = RunBench({"fanout", "--room", "-p", std::to_string(server->port()),
                       "-n", "5", "-m", "20", "-w", "4"});
  ExpectCleanRun(run);
  EXPECT_EQ(Number(run, "broadcasts"), 20) << run.line;
  EXPECT_EQ(Number(run, "deliveries"), 100) << run.line;
  EXPECT_NE(run.line.find("chat-room"), std::string::npos) << run.line;
}

TEST(BenchSmokeTest, ChurnCompletesWholeSessions) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto run = RunBench(
      {"churn", "-p", std::to_string(server->port()), "-c", "2", "-d", "0.3"});
  ExpectCleanRun(run);
  EXPECT_GT(Number(run, "sessions"), 0) << run.line;
  EXPECT_EQ(Number(run, "sessions"), Number(run, "expected")) << run.line;
  EXPECT_GT(Number(run, "sessions_per_s"), 0) << run.line;
}

TEST(BenchSmokeTest, FileSendsEveryByteOfSeveralTransfersAtOnce) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto run = RunBench(
      {"file", "-p", std::to_string(server->port()), "-n", "2", "-m", "1"});
  ExpectCleanRun(run);
  EXPECT_EQ(Number(run, "received"), 2 * 1024 * 1024) << run.line;
  EXPECT_EQ(Number(run, "aborted"), 0) << run.line;
  EXPECT_GT(Number(run, "mib_per_s"), 0) << run.line;
}

TEST(BenchSmokeTest, HoldKeepsEverySessionAndMeasuresTheServersPss) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  auto run =
      RunBench({"hold", "-p", std::to_string(server->port()), "-n", "20", "-d",
                "0.2", "--server-pid", std::to_string(server->pid())});
  ExpectCleanRun(run);
  EXPECT_EQ(Number(run, "held"), 20) << run.line;
  EXPECT_EQ(Number(run, "announced"), 20 * 19 / 2) << run.line;
  // The broker and one worker per session at least.
  EXPECT_GE(Number(run, "server_processes"), 21) << run.line;
  EXPECT_GT(Number(run, "pss_kib_per_session"), 0) << run.line;
}

// login against a server with its own data directory: accounts are created,
// then logged in to over and over, each LOGIN answered, nothing lost.
TEST(BenchSmokeTest, LoginLogsInToEveryAccountInTurn) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  ASSERT_FALSE(server->data_dir().empty());
  auto run = RunBench({"login", "-p", std::to_string(server->port()), "-n", "4",
                       "-c", "2", "-d", "0.5", "--server-pid",
                       std::to_string(server->pid())});
  ExpectCleanRun(run);
  EXPECT_EQ(run.fields["scenario"], "login");
  EXPECT_EQ(Number(run, "accounts"), 4) << run.line;
  EXPECT_EQ(Number(run, "created"), 4) << run.line;
  EXPECT_GT(Number(run, "logins"), 0) << run.line;
  // Every session started was logged in to and ended with QUIT.
  EXPECT_EQ(Number(run, "logins"), Number(run, "expected")) << run.line;
  EXPECT_EQ(Number(run, "received"), Number(run, "expected")) << run.line;
  EXPECT_GT(Number(run, "logins_per_s"), 0) << run.line;
  EXPECT_GE(Number(run, "server_cpus"), 1) << run.line;
  EXPECT_NEAR(Number(run, "logins_per_s_per_cpu"),
              Number(run, "logins_per_s") / Number(run, "server_cpus"), 0.01)
      << run.line;
  EXPECT_GT(Number(run, "server_cpu_ms_per_login"), 0) << run.line;
  EXPECT_GT(Number(run, "login_p50_us"), 0) << run.line;
  EXPECT_GE(Number(run, "login_p99_us"), Number(run, "login_p50_us"))
      << run.line;
}

// A server without a database has no accounts: the run ends at once and
// says how to start the server instead.
TEST(BenchSmokeTest, LoginAgainstAnEphemeralServerIsExplainedAtOnce) {
  auto server = ServerProcess::Start({"--bind", "127.0.0.1", "--ephemeral"});
  ASSERT_TRUE(server);
  const auto start = std::chrono::steady_clock::now();
  auto run = RunBench({"login", "-p", std::to_string(server->port()), "-n", "4",
                       "-c", "2", "-d", "5", "--timeout", "30"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.exit_code, 1) << run.line;
  EXPECT_LT(took, std::chrono::seconds(10)) << "waited for --timeout";
  EXPECT_EQ(Number(run, "created"), 0) << run.line;
  ASSERT_TRUE(run.fields.count("first_problem")) << run.line;
  const std::string& problem = run.fields.at("first_problem");
  EXPECT_NE(problem.find("the server refused accounts (ERR Unavailable"),
            std::string::npos)
      << problem;
  EXPECT_NE(problem.find("--data-dir DIR), not --ephemeral"), std::string::npos)
      << problem;
}

TEST(BenchSmokeTest, ForkMeasuresTheCostOfAProcessPerSession) {
  auto run = RunBench({"fork", "-m", "50"});
  ExpectCleanRun(run);
  EXPECT_EQ(run.fields["scenario"], "fork");
  EXPECT_EQ(Number(run, "received"), 50) << run.line;
  EXPECT_GT(Number(run, "mean_us"), 0) << run.line;
  EXPECT_GT(Number(run, "forks_per_s"), 0) << run.line;
}

TEST(BenchSmokeTest, NonLoopbackTargetIsRefusedBeforeAnyTraffic) {
  auto bench = Subprocess::Start(ProgramPath("chat-bench"),
                                 {"rtt", "-p", "6667", "--host", "192.0.2.1"});
  auto status = bench->Wait(kRunTimeout);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2)
      << "expected exit 2, wait status " << *status;
  auto reason = bench->WaitForStderr("127.0.0.0/8");
  EXPECT_TRUE(reason) << "expected the reason on stderr";
}

// ngircd from tests/bench/ngircd.conf.in in a temporary directory.
class Ngircd {
 public:
  static constexpr char kPath[] = "/usr/sbin/ngircd";

  bool Start() {
    char dir[] = "/tmp/chat-bench-test.XXXXXX";
    if (!mkdtemp(dir)) return false;
    dir_ = dir;
    mkdir((dir_ + "/conf.d").c_str(), 0755);
    port_ = FreePort();
    std::ifstream in("tests/bench/ngircd.conf.in");
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    if (config.empty()) return false;
    Replace(&config, "@PORT@", std::to_string(port_));
    Replace(&config, "@DIR@", dir_);
    std::ofstream(dir_ + "/ngircd.conf") << config;
    chmod(dir_.c_str(), 0755);
    process_ = Subprocess::Start(kPath, {"-n", "-f", dir_ + "/ngircd.conf"});
    return process_->WaitForStdout("Now listening on").has_value();
  }

  ~Ngircd() {
    process_.reset();
    if (!dir_.empty()) {
      unlink((dir_ + "/ngircd.conf").c_str());
      rmdir((dir_ + "/conf.d").c_str());
      rmdir(dir_.c_str());
    }
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return process_->pid(); }

 private:
  static void Replace(std::string* text, const std::string& from,
                      const std::string& to) {
    for (size_t at = text->find(from); at != std::string::npos;
         at = text->find(from, at + to.size())) {
      text->replace(at, from.size(), to);
    }
  }

  // A port the kernel just handed out; free again once closed.
  static uint16_t FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(fd, reinterpret_cast<sockaddr*>(&address), length);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
  }

  std::string dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

TEST(BenchSmokeTest, IrcModeDrivesNgircdThroughRttAndFanout) {
  if (access(Ngircd::kPath, X_OK) != 0) {
    GTEST_SKIP() << "ngircd is not installed (apt-get install ngircd)";
  }
  Ngircd ngircd;
  ASSERT_TRUE(ngircd.Start()) << "ngircd did not start listening";
  std::string port = std::to_string(ngircd.port());
  auto rtt = RunBench({"rtt", "--irc", "-p", port, "-n", "3", "-m", "20"});
  ExpectCleanRun(rtt);
  EXPECT_EQ(rtt.fields["dialect"], "irc");
  EXPECT_EQ(Number(rtt, "received"), 20) << rtt.line;
  auto fanout = RunBench({"fanout", "--irc", "-p", port, "-n", "4", "-m", "10",
                          "-w", "2", "--concurrency", "4"});
  ExpectCleanRun(fanout);
  EXPECT_EQ(Number(fanout, "deliveries"), 40) << fanout.line;
  EXPECT_EQ(Number(fanout, "announced"), 5 * 4 / 2) << fanout.line;
}

}  // namespace
}  // namespace chat::test
