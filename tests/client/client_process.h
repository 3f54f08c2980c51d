// Helpers for tests that run the real ./client against a real ./server.
#ifndef CHAT_TESTS_CLIENT_CLIENT_PROCESS_H_
#define CHAT_TESTS_CLIENT_CLIENT_PROCESS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace chat::test {

// Starts ProgramPath("client") with "127.0.0.1 <port>" and `args`, stdin a
// pipe unless `options` say otherwise.
std::unique_ptr<Subprocess> StartClient(
    uint16_t port, const std::vector<std::string>& args,
    const Subprocess::Options& options = {});

// Reads the client's stdout to its end, as lines.
std::vector<std::string> ReadAllLines(Subprocess& client);

// The exit status of a finished process, or -1 (with a test failure) if it
// did not exit normally within the timeout.
int ExitCode(Subprocess& process);

}  // namespace chat::test

#endif  // CHAT_TESTS_CLIENT_CLIENT_PROCESS_H_
