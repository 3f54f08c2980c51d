// Flood control's costs and the request log's summary, on the Session alone
// (lines in, bytes and log lines out) over a real registry and channel, so
// that a bucket that never refills in the test's lifetime shows exactly
// which lines were taken.
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "ipc/channel.h"
#include "ipc/registry.h"
#include "server/flood.h"
#include "server/log.h"
#include "server/request_log.h"
#include "server/session.h"
#include "server/token_bucket.h"

namespace chat::server {
namespace {

using Clock = TokenBucket::Clock;
using std::chrono::milliseconds;

TEST(TokenBucketTest, StartsFullSpendsIntoDebtAndRefillsAtTheRate) {
  const auto start = Clock::now();
  TokenBucket bucket(3, 2, start);  // 3 at once, then 2 a second
  EXPECT_TRUE(bucket.TryTake(start));
  EXPECT_TRUE(bucket.TryTake(start));
  bucket.Spend(4, start);  // a costly request on the last token
  EXPECT_FALSE(bucket.Ready(start));
  EXPECT_DOUBLE_EQ(bucket.tokens(start), -3);
  // Four tokens to come back at two a second.
  EXPECT_EQ(bucket.UntilReady(start), std::chrono::seconds(2));
  EXPECT_FALSE(bucket.Ready(start + milliseconds(1999)));
  EXPECT_TRUE(bucket.Ready(start + milliseconds(2000)));
  // Never more than the burst, however long it waits.
  EXPECT_DOUBLE_EQ(bucket.tokens(start + std::chrono::hours(1)), 3);
}

TEST(RequestLogTest, CountsAreGroupedByThousands) {
  EXPECT_EQ(MoreRequestsText(7), "... and 7 more requests");
  EXPECT_EQ(MoreRequestsText(1234), "... and 1,234 more requests");
  EXPECT_EQ(MoreRequestsText(1234567), "... and 1,234,567 more requests");
}

class FloodSessionTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto registry = ipc::Registry::Create(100, 100, &error);
    ASSERT_TRUE(registry) << error;
    registry_.emplace(std::move(*registry));
    auto pair = ipc::Channel::CreatePair(&error);
    ASSERT_TRUE(pair) << error;
    broker_end_.emplace(std::move(pair->first));
    worker_end_.emplace(std::move(pair->second));
    ASSERT_EQ(pipe(log_pipe_), 0);
  }
  void TearDown() override {
    close(log_pipe_[0]);
    if (log_pipe_[1] >= 0) close(log_pipe_[1]);
  }

  Session& Open(const Log& log) {
    session_.emplace(*registry_, *worker_end_, ipc::WorkerId{0, 1}, log,
                     "test");
    session_->Start();
    Take();
    return *session_;
  }
  std::string Take() {
    std::string text(session_->output().pending());
    session_->output().Consume(text.size());
    return text;
  }
  void JoinAlice() {
    session_->OnInput("JOIN Alice\n");
    worker_end_->Flush();
    ipc::Frame frame;
    ASSERT_EQ(broker_end_->Receive(&frame), ipc::ChannelStatus::kOk);
    ASSERT_EQ(frame.kind, ipc::FrameKind::kJoined);
    session_->OnFrame({ipc::FrameKind::kBroadcastDone, {}, 0, {}});
    ASSERT_EQ(Take(), "OK JOIN Alice\n");
  }
  // Everything logged so far (the writing end is closed first).
  std::string LogText() {
    close(log_pipe_[1]);
    log_pipe_[1] = -1;
    std::string text;
    char buffer[4096];
    for (ssize_t got; (got = read(log_pipe_[0], buffer, sizeof buffer)) > 0;) {
      text.append(buffer, static_cast<size_t>(got));
    }
    return text;
  }

  std::optional<ipc::Registry> registry_;
  std::optional<ipc::Channel> broker_end_, worker_end_;
  std::optional<Session> session_;
  int log_pipe_[2] = {-1, -1};
  Log quiet_{2, LogLevel::kError};
};

TEST_F(FloodSessionTest, LinesPastTheBudgetWaitInOrder) {
  Session& session = Open(quiet_);
  TokenBucket bucket(4, 0.0001, Clock::now());  // no refill within the test
  TokenBucket files(1e9, 1, Clock::now());
  session.set_flood(&bucket, &files);
  JoinAlice();  // one line
  session.OnInput("PING 1\nPING 2\nPING 3\nPING 4\nPING 5\n");
  EXPECT_EQ(Take(), "PONG 1\nPONG 2\nPONG 3\n");
  EXPECT_TRUE(session.throttled());
  EXPECT_FALSE(session.wants_input());
  // Still held: the budget has not come back.
  session.Resume();
  EXPECT_EQ(Take(), "");
  // The budget back (as time would bring it): the held lines go on, and
  // with a line's worth left over the socket may be read again.
  bucket.Spend(-3, Clock::now());
  session.Resume();
  EXPECT_EQ(Take(), "PONG 4\nPONG 5\n");
  EXPECT_FALSE(session.throttled());
  EXPECT_TRUE(session.wants_input());
}

TEST_F(FloodSessionTest, ABigListCostsALineForEachKibOfItsAnswer) {
  Session& session = Open(quiet_);
  JoinAlice();
  // Seventy names of 32 letters: a LIST answer of about 2 KiB.
  for (uint32_t i = 1; i <= 70; ++i) {
    std::string name = "User" + std::string(26, 'x') + std::to_string(i + 10);
    ASSERT_EQ(registry_->Join(name, {i, 1}), ipc::JoinResult::kJoined);
  }
  TokenBucket bucket(4, 0.0001, Clock::now());
  TokenBucket files(1e9, 1, Clock::now());
  session.set_flood(&bucket, &files);
  session.OnInput("LIST\nPING a\n");
  std::string answer = Take();
  ASSERT_TRUE(answer.starts_with("LIST Alice,User")) << answer;
  ASSERT_GT(answer.size(), 2 * kFloodAnswerBytesPerLine);
  // 1 + 2 lines spent: one left, and PING takes it.
  EXPECT_TRUE(answer.ends_with("\nPONG a\n")) << answer;
  session.OnInput("PING b\n");
  EXPECT_EQ(Take(), "");
  EXPECT_TRUE(session.throttled());
}

TEST_F(FloodSessionTest, FileDataIsChargedByItsBytesNotAsLines) {
  Session& session = Open(quiet_);
  JoinAlice();
  TokenBucket lines(2, 0.0001, Clock::now());
  TokenBucket files(100, 0.0001, Clock::now());
  session.set_flood(&lines, &files);
  // Two FILE ACK lines (13 bytes each with the newline) and a PING would
  // have taken more than the line budget; the ACKs take 26 of the 100 bytes
  // of the file
  // budget instead (there is no transfer 7: each is answered).
  session.OnInput("FILE ACK 7 1\nFILE ACK 7 2\nPING a\n");
  EXPECT_EQ(Take(),
            "ERR Unknown Transfer: 7\nERR Unknown Transfer: 7\nPONG a\n");
  // (The buckets refill by a ten-thousandth a second meanwhile.)
  EXPECT_NEAR(lines.tokens(Clock::now()), 1, 0.001);
  EXPECT_NEAR(files.tokens(Clock::now()), 100 - 26, 0.001);
  // ...and a file budget in debt holds every line back, file data or not.
  files.Spend(100, Clock::now());
  session.OnInput("PING b\n");
  EXPECT_EQ(Take(), "");
  EXPECT_TRUE(session.throttled());
}

TEST_F(FloodSessionTest, RequestLinesPastTheRateAreSummarised) {
  Log log(log_pipe_[1], LogLevel::kInfo);
  Session& session = Open(log);
  JoinAlice();
  constexpr int kRequests = 1000;
  std::string pings;
  for (int i = 0; i < kRequests; ++i) pings += "PING\n";
  session.OnInput(pings);
  session.OnInput("QUIT\n");
  session_.reset();
  const std::string text = LogText();
  int written = 0;
  uint64_t summarised = 0;
  size_t at = 0;
  for (size_t end; (end = text.find('\n', at)) != std::string::npos;
       at = end + 1) {
    std::string_view line(text.data() + at, end - at);
    if (line.ends_with("test: request PING by Alice")) ++written;
    constexpr std::string_view kMore = "test: ... and ";
    if (size_t found = line.find(kMore); found != std::string_view::npos) {
      std::string count(line.substr(found + kMore.size()));
      std::erase(count, ',');
      summarised += std::stoull(count);
    }
  }
  // At most the burst and what the rate adds while the test runs; every
  // request is either written or counted; the connection's events stay.
  EXPECT_GE(written, kRequestLogBurst);
  EXPECT_LE(written, kRequestLogBurst + 20);
  EXPECT_EQ(written + summarised, kRequests + 1u);  // and QUIT's line
  EXPECT_NE(text.find("test: JOIN Alice accepted"), std::string::npos);
  EXPECT_NE(text.find("test: LEFT Alice (quit)"), std::string::npos) << text;
}

}  // namespace
}  // namespace chat::server
