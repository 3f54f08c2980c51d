// Line expectations: bounded reads with readable failure messages.
#include "support/line_expect.h"

#include <atomic>

namespace chat::test {
namespace {

std::string Show(const std::optional<std::string>& line) {
  if (!line) return "<nothing: timeout or connection closed>";
  return "\"" + *line + "\"";
}

std::string ShowAll(const std::vector<std::string>& lines) {
  std::string text = "[";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) text += ", ";
    text += "\"" + lines[i] + "\"";
  }
  return text + "]";
}

}  // namespace

testing::AssertionResult NextLineIs(Connection& connection,
                                    std::string_view expected) {
  auto line = connection.ReadLine();
  if (line && *line == expected) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << "expected \"" << expected << "\", got " << Show(line);
}

testing::AssertionResult NextLinesAre(
    Connection& connection, const std::vector<std::string>& expected) {
  for (size_t i = 0; i < expected.size(); ++i) {
    auto line = connection.ReadLine();
    if (!line || *line != expected[i]) {
      return testing::AssertionFailure()
             << "line " << i + 1 << " of " << ShowAll(expected)
             << ": expected \"" << expected[i] << "\", got " << Show(line);
    }
  }
  return testing::AssertionSuccess();
}

testing::AssertionResult NothingPending(Connection& connection) {
  static std::atomic<int> counter{0};
  std::string token = "sync" + std::to_string(++counter);
  if (!connection.SendLine("PING " + token)) {
    return testing::AssertionFailure() << "cannot send PING " << token;
  }
  auto line = connection.ReadLine();
  if (line && *line == "PONG " + token) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "expected nothing pending (\"PONG "
                                     << token << "\" next), got " << Show(line);
}

testing::AssertionResult ClosedAfter(Connection& connection,
                                     const std::vector<std::string>& expected) {
  std::vector<std::string> lines;
  bool closed = connection.WaitClosed(&lines);
  if (closed && lines == expected) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << "expected " << ShowAll(expected) << " then the close, got "
         << ShowAll(lines) << (closed ? " then the close" : " and no close");
}

}  // namespace chat::test
