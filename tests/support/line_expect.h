// Assertions on what a Connection receives, for tests of the real server:
// exact lines in order, a silent connection, the end of a connection. Each
// failure says what was expected and what came instead.
#ifndef CHAT_TESTS_SUPPORT_LINE_EXPECT_H_
#define CHAT_TESTS_SUPPORT_LINE_EXPECT_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/connection.h"

namespace chat::test {

// The next line is exactly `expected`.
testing::AssertionResult NextLineIs(Connection& connection,
                                    std::string_view expected);

// The next lines are exactly `expected`, in order.
testing::AssertionResult NextLinesAre(Connection& connection,
                                      const std::vector<std::string>& expected);

// Nothing is pending: a PING sent now is answered by the very next line, so
// no push or answer was on its way before it. No sleeping involved.
testing::AssertionResult NothingPending(Connection& connection);

// The server closes the connection, after exactly `expected` lines.
testing::AssertionResult ClosedAfter(Connection& connection,
                                     const std::vector<std::string>& expected);

}  // namespace chat::test

#endif  // CHAT_TESTS_SUPPORT_LINE_EXPECT_H_
