// The browser test: a real ./server, and tests/web/browser_test.py driving
// headless Chromium on the web page while it plays a raw-socket user too;
// tests/web/rooms_browser_test.py does the same for rooms and requests.
// The screenshot goes to the build folder (next to this test binary's
// directory), e.g. build/release/web-screenshot.png.
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/connection.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace chat::test {
namespace {

// build/release/tests/web_tests -> build/release
std::string BuildDirectory() {
  char path[PATH_MAX] = {};
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  std::string exe = n > 0 ? std::string(path, static_cast<size_t>(n)) : ".";
  for (int i = 0; i < 2; ++i) {
    size_t slash = exe.rfind('/');
    if (slash == std::string::npos) return ".";
    exe.resize(slash);
  }
  return exe;
}

uint16_t WebPort(ServerProcess& server) {
  auto line = server.process().WaitForStdout("(web)");
  if (!line) return 0;
  size_t space = line->rfind(' ');
  size_t colon = line->rfind(':', space);
  return static_cast<uint16_t>(
      std::stoi(line->substr(colon + 1, space - colon - 1)));
}

// Runs a Python script of tests/web against `server` and checks that it
// printed `passed` and exited with 0.
void RunBrowserScript(ServerProcess& server, const std::string& script_path,
                      std::vector<std::string> extra, std::string_view passed) {
  uint16_t web_port = WebPort(server);
  ASSERT_NE(web_port, 0);
  std::vector<std::string> args{script_path, "--web-port",
                                std::to_string(web_port), "--plain-port",
                                std::to_string(server.port())};
  args.insert(args.end(), extra.begin(), extra.end());
  auto script = Subprocess::Start("/usr/bin/python3", args);
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = script->out().ReadLine(std::chrono::seconds(1));
    if (line) {
      output += *line + "\n";
    } else if (script->out().eof()) {
      break;
    }
  }
  auto status = script->Wait(std::chrono::seconds(10));
  ASSERT_TRUE(status) << "the browser test did not finish:\n" << output;
  std::string errors;
  for (int i = 0; i < 200; ++i) {
    auto line = script->err().ReadLine(std::chrono::milliseconds(10));
    if (!line) break;
    errors += *line + "\n";
  }
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << output << errors;
  EXPECT_NE(output.find(passed), std::string::npos) << output;
}

TEST(BrowserTest, ChatsWithARawSocketUserInHeadlessChromium) {
  auto server = ServerProcess::Start({"--web-port", "0", "--ephemeral"});
  ASSERT_TRUE(server);
  std::string screenshot = BuildDirectory() + "/web-screenshot.png";
  unlink(screenshot.c_str());
  RunBrowserScript(*server, "tests/web/browser_test.py",
                   {"--screenshot", screenshot}, "browser test passed");
  EXPECT_EQ(access(screenshot.c_str(), R_OK), 0) << screenshot;
}

TEST(BrowserTest, RoomsAndRequestsWithThePagesButtons) {
  auto server = ServerProcess::Start({"--web-port", "0", "--ephemeral"});
  ASSERT_TRUE(server);
  RunBrowserScript(*server, "tests/web/rooms_browser_test.py", {},
                   "rooms browser test passed");
}

TEST(BrowserTest, TransfersAFileEachWayBetweenThePageAndARawSocketUser) {
  auto server = ServerProcess::Start({"--web-port", "0", "--ephemeral"});
  ASSERT_TRUE(server);
  {
    // A server without file transfer answers FILE as an unknown verb.
    auto probe = ConnectAndJoin(server->port(), "Probe");
    ASSERT_NE(probe, nullptr);
    probe->SendLine("FILE CANCEL 1");
    const auto answer = probe->ReadLine();
    ASSERT_TRUE(answer);
    if (answer->starts_with("ERR Unknown Message")) {
      GTEST_SKIP() << "the server does not support FILE yet (it answered \""
                   << *answer << "\")";
    }
  }
  const std::string temp = MakeTempDir();
  RunBrowserScript(
      *server, "tests/web/files_browser_test.py",
      {"--temp-dir", temp, "--screenshot", BuildDirectory() + "/web-files.png"},
      "files browser test passed");
  RemoveTree(temp);
}

}  // namespace
}  // namespace chat::test
