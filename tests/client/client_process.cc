// Helpers for running the real client in tests.
#include "client_process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

namespace chat::test {

std::unique_ptr<Subprocess> StartClient(uint16_t port,
                                        const std::vector<std::string>& args,
                                        const Subprocess::Options& options) {
  std::vector<std::string> all{"127.0.0.1", std::to_string(port)};
  all.insert(all.end(), args.begin(), args.end());
  return Subprocess::Start(ProgramPath("client"), all, options);
}

std::vector<std::string> ReadAllLines(Subprocess& client) {
  std::string all;
  EXPECT_TRUE(client.out().ReadToEof(&all))
      << "client output did not end; so far: " << client.out().pending();
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < all.size()) {
    size_t lf = all.find('\n', start);
    if (lf == std::string::npos) lf = all.size();
    lines.push_back(all.substr(start, lf - start));
    start = lf + 1;
  }
  return lines;
}

int ExitCode(Subprocess& process) {
  const std::optional<int> status = process.Wait();
  if (!status) {
    ADD_FAILURE() << "process " << process.pid() << " did not exit";
    return -1;
  }
  if (!WIFEXITED(*status)) {
    ADD_FAILURE() << "process " << process.pid()
                  << " did not exit normally, wait status " << *status;
    return -1;
  }
  return WEXITSTATUS(*status);
}

}  // namespace chat::test
