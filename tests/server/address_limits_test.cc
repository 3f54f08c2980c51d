// AddressLimits on its own, with the times given: the open count per
// address and per IPv6 /64, the new-connection window, penalties for
// connections that never registered, and the bounded table.
#include "server/address_limits.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace chat::server {
namespace {

using Verdict = AddressLimits::Verdict;
using std::chrono::seconds;

Address16 At(const char* text) {
  std::string cidr(text);
  return ParseCidr(cidr)->address;
}

class AddressLimitsTest : public testing::Test {
 protected:
  AddressLimitsConfig config_;
  AddressLimits::Clock::time_point now_ = AddressLimits::Clock::now();
};

TEST_F(AddressLimitsTest, AtMostMaxPerAddressOpenAtOnce) {
  config_.max_per_address = 3;
  AddressLimits limits(config_);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kAdmit);
  }
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kTooMany);
  EXPECT_EQ(limits.Admit(At("192.0.2.2"), now_), Verdict::kAdmit);
  limits.Closed(At("192.0.2.1"), true, now_);
  EXPECT_EQ(limits.open(At("192.0.2.1")), 2u);
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kAdmit);
}

TEST_F(AddressLimitsTest, Ipv6IsCountedPerSlash64) {
  config_.max_per_address = 2;
  AddressLimits limits(config_);
  EXPECT_EQ(limits.Admit(At("2001:db8:0:1::1"), now_), Verdict::kAdmit);
  EXPECT_EQ(limits.Admit(At("2001:db8:0:1:ffff::2"), now_), Verdict::kAdmit);
  EXPECT_EQ(limits.Admit(At("2001:db8:0:1::3"), now_), Verdict::kTooMany);
  EXPECT_EQ(limits.Admit(At("2001:db8:0:2::1"), now_), Verdict::kAdmit);
  EXPECT_EQ(AddressLimits::BlockOf(At("2001:db8:0:1:a:b:c:d")),
            At("2001:db8:0:1::"));
  EXPECT_EQ(AddressLimits::BlockOf(At("::ffff:192.0.2.9")),
            At("::ffff:192.0.2.9"));
}

TEST_F(AddressLimitsTest, NewConnectionsPerWindow) {
  config_.connect_count = 4;
  config_.connect_window = seconds(10);
  AddressLimits limits(config_);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kAdmit);
    limits.Closed(At("192.0.2.1"), true, now_);
  }
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_ + seconds(9)),
            Verdict::kTooFast);
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_ + seconds(10)), Verdict::kAdmit);
}

TEST_F(AddressLimitsTest, ConnectionsThatNeverRegisterArePenalised) {
  config_.penalty_step = seconds(2);
  config_.penalty_threshold = seconds(10);
  config_.penalty_max = seconds(60);
  AddressLimits limits(config_);
  // Five cost 10 s: at the threshold, not past it.
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kAdmit);
    limits.Closed(At("192.0.2.1"), false, now_);
  }
  ASSERT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kAdmit);
  limits.Closed(At("192.0.2.1"), false, now_);
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kPenalised);
  EXPECT_EQ(limits.Admit(At("192.0.2.2"), now_), Verdict::kAdmit);
  // 12 s owed: admitted again once no more than 10 s are left.
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_ + seconds(1)),
            Verdict::kPenalised);
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_ + seconds(2)), Verdict::kAdmit);
}

TEST_F(AddressLimitsTest, PenaltyIsCappedAndRegisteredClosesCostNothing) {
  config_.connect_count = 1000;
  config_.max_per_address = 100;
  config_.penalty_max = seconds(30);
  AddressLimits limits(config_);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(limits.Admit(At("192.0.2.3"), now_), Verdict::kAdmit);
    limits.Closed(At("192.0.2.3"), true, now_);
  }
  // Twenty open at once, then all closed unregistered: 40 s, capped to 30.
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kAdmit);
  }
  for (int i = 0; i < 20; ++i) limits.Closed(At("192.0.2.1"), false, now_);
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_ + seconds(19)),
            Verdict::kPenalised);
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_ + seconds(20)), Verdict::kAdmit);
}

TEST_F(AddressLimitsTest, TableIsBoundedAndForgetsTheLongestIdleFirst) {
  config_.capacity = 3;
  config_.max_per_address = 1;
  AddressLimits limits(config_);
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kAdmit);
  EXPECT_EQ(limits.Admit(At("192.0.2.2"), now_), Verdict::kAdmit);
  EXPECT_EQ(limits.Admit(At("192.0.2.3"), now_), Verdict::kAdmit);
  // Every tracked address has a connection open: nothing can be forgotten.
  EXPECT_EQ(limits.Admit(At("192.0.2.4"), now_), Verdict::kTableFull);
  limits.Closed(At("192.0.2.2"), true, now_);
  EXPECT_EQ(limits.Admit(At("192.0.2.4"), now_), Verdict::kAdmit);
  EXPECT_EQ(limits.tracked(), 3u);
  // 192.0.2.2 was forgotten, the open ones were not.
  EXPECT_EQ(limits.open(At("192.0.2.2")), 0u);
  EXPECT_EQ(limits.Admit(At("192.0.2.1"), now_), Verdict::kTooMany);
  // Many addresses passing through never grow the table.
  for (int i = 0; i < 1000; ++i) {
    std::string address = "198.51.100." + std::to_string(i % 250);
    limits.Closed(At("192.0.2.4"), true, now_);
    limits.Admit(At(address.c_str()), now_);
    limits.Closed(At(address.c_str()), true, now_);
    ASSERT_LE(limits.tracked(), 3u);
  }
}

}  // namespace
}  // namespace chat::server
