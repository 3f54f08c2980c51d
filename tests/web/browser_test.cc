// The browser test: a real ./server, and tests/web/browser_test.py driving
// headless Chromium on the web page while it plays a raw-socket user too.
// The screenshot goes to the build folder (next to this test binary's
// directory), e.g. build/release/web-screenshot.png.
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

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

TEST(BrowserTest, ChatsWithARawSocketUserInHeadlessChromium) {
  auto server = ServerProcess::Start({"--web-port", "0", "--ephemeral"});
  ASSERT_TRUE(server);
  uint16_t web_port = WebPort(*server);
  ASSERT_NE(web_port, 0);
  std::string screenshot = BuildDirectory() + "/web-screenshot.png";
  unlink(screenshot.c_str());
  auto script = Subprocess::Start(
      "/usr/bin/python3",
      {"tests/web/browser_test.py", "--web-port", std::to_string(web_port),
       "--plain-port", std::to_string(server->port()), "--screenshot",
       screenshot});
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
  EXPECT_NE(output.find("browser test passed"), std::string::npos) << output;
  EXPECT_EQ(access(screenshot.c_str(), R_OK), 0) << screenshot;
}

}  // namespace
}  // namespace chat::test
