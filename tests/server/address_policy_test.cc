// Who the per-address limits apply to: CIDR parsing, matching of IPv4,
// IPv4-mapped and IPv6 addresses, loopback exemption, --limit-loopback and
// --exempt on the real command-line parser.
#include "server/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <algorithm>
#include <string>
#include <vector>

#include "server/options.h"

namespace chat::server {
namespace {

Address16 V4(const char* text) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, text, &address.sin_addr), 1) << text;
  return *ToAddress16(reinterpret_cast<sockaddr*>(&address), sizeof address);
}

Address16 V6(const char* text) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &address.sin6_addr), 1) << text;
  return *ToAddress16(reinterpret_cast<sockaddr*>(&address), sizeof address);
}

TEST(AddressPolicyTest, Ipv4AndItsMappedFormAreTheSameAddress) {
  EXPECT_EQ(V4("192.0.2.7"), V6("::ffff:192.0.2.7"));
}

TEST(AddressPolicyTest, ParsesPrefixesAndBareAddresses) {
  EXPECT_EQ(ParseCidr("10.0.0.0/8")->bits, 96 + 8);
  EXPECT_EQ(ParseCidr("192.0.2.7")->bits, 128);
  EXPECT_EQ(ParseCidr("2001:db8::/32")->bits, 32);
  EXPECT_EQ(ParseCidr("::1")->bits, 128);
  EXPECT_EQ(ParseCidr("0.0.0.0/0")->bits, 96);
  EXPECT_EQ(ParseCidr("::/0")->bits, 0);
}

TEST(AddressPolicyTest, RefusesWhatIsNotAPrefix) {
  for (const char* bad :
       {"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x",
        "10.0.0.1/8", "2001:db8::/129", "2001:db8::1/32", "example.org",
        "10.0.0/8", "10.0.0.0/08/1"}) {
    EXPECT_FALSE(ParseCidr(bad)) << bad;
  }
}

TEST(AddressPolicyTest, PrefixContainsOnlyItsAddresses) {
  Cidr lan = *ParseCidr("192.168.0.0/16");
  EXPECT_TRUE(lan.Contains(V4("192.168.3.4")));
  EXPECT_TRUE(lan.Contains(V6("::ffff:192.168.255.255")));
  EXPECT_FALSE(lan.Contains(V4("192.169.0.1")));
  EXPECT_FALSE(lan.Contains(V6("2001:db8::1")));
  Cidr odd = *ParseCidr("10.0.0.0/9");
  EXPECT_TRUE(odd.Contains(V4("10.127.0.1")));
  EXPECT_FALSE(odd.Contains(V4("10.128.0.1")));
  Cidr v6 = *ParseCidr("2001:db8:1::/48");
  EXPECT_TRUE(v6.Contains(V6("2001:db8:1:ffff::9")));
  EXPECT_FALSE(v6.Contains(V6("2001:db8:2::9")));
  EXPECT_TRUE(ParseCidr("::/0")->Contains(V4("203.0.113.1")));
}

TEST(AddressPolicyTest, LoopbackIsExemptUnlessLimitLoopback) {
  AddressPolicy policy;
  for (Address16 loopback : {V4("127.0.0.1"), V4("127.9.8.7"), V6("::1")}) {
    EXPECT_TRUE(IsLoopback(loopback));
    EXPECT_FALSE(SubjectToLimits(policy, loopback));
  }
  EXPECT_TRUE(SubjectToLimits(policy, V4("192.0.2.1")));
  EXPECT_TRUE(SubjectToLimits(policy, V6("2001:db8::1")));
  EXPECT_FALSE(IsLoopback(V6("::2")));
  policy.limit_loopback = true;
  EXPECT_TRUE(SubjectToLimits(policy, V4("127.0.0.1")));
  EXPECT_TRUE(SubjectToLimits(policy, V6("::1")));
}

TEST(AddressPolicyTest, ExemptNetworksAreNotLimited) {
  AddressPolicy policy;
  policy.limit_loopback = true;
  policy.exempt = {*ParseCidr("10.0.0.0/8"), *ParseCidr("2001:db8::/32")};
  EXPECT_FALSE(SubjectToLimits(policy, V4("10.1.2.3")));
  EXPECT_FALSE(SubjectToLimits(policy, V6("2001:db8:5::1")));
  EXPECT_TRUE(SubjectToLimits(policy, V4("11.0.0.1")));
  EXPECT_TRUE(SubjectToLimits(policy, V4("127.0.0.1")));
  EXPECT_FALSE(SubjectToLimits(policy, std::optional<Address16>()));
}

ParsedCommandLine Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "server");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

TEST(AddressPolicyTest, CommandLineSetsThePolicy) {
  ParsedCommandLine plain = Parse({"0"});
  ASSERT_TRUE(plain.options) << plain.err;
  EXPECT_FALSE(plain.options->address_policy.limit_loopback);
  EXPECT_TRUE(plain.options->address_policy.exempt.empty());

  ParsedCommandLine set =
      Parse({"--limit-loopback", "--exempt", "10.0.0.0/8", "--exempt",
             "2001:db8::/32", "--exempt=192.0.2.9", "0"});
  ASSERT_TRUE(set.options) << set.err;
  EXPECT_TRUE(set.options->address_policy.limit_loopback);
  std::vector<Cidr> expected = {*ParseCidr("10.0.0.0/8"),
                                *ParseCidr("2001:db8::/32"),
                                *ParseCidr("192.0.2.9")};
  EXPECT_EQ(set.options->address_policy.exempt, expected);
}

TEST(AddressPolicyTest, BadExemptIsAUsageError) {
  ParsedCommandLine bad = Parse({"--exempt", "10.0.0.1/8", "0"});
  EXPECT_FALSE(bad.options);
  EXPECT_EQ(bad.exit_status, kExitUsage);
  EXPECT_NE(bad.err.find("--exempt"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("10.0.0.1/8"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

}  // namespace
}  // namespace chat::server
