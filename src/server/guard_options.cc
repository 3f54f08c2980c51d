// --limit-loopback and --exempt CIDR (address_policy.h); --keepalive-idle,
// --keepalive-interval, --keepalive-count (keepalive.h).
#include "server/guard_options.h"

#include <charconv>
#include <string>

#include "server/address_policy.h"

namespace chat::server {
namespace {

bool ParseConnectRate(std::string_view text, AddressLimitsConfig* limits) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  auto number = [](std::string_view digits, uint32_t* out) {
    auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), *out);
    return !digits.empty() && error == std::errc() &&
           end == digits.data() + digits.size() && *out >= 1 && *out <= 100000;
  };
  uint32_t count = 0;
  uint32_t seconds = 0;
  if (!number(text.substr(0, slash), &count) ||
      !number(text.substr(slash + 1), &seconds)) {
    return false;
  }
  limits->connect_count = count;
  limits->connect_window = std::chrono::seconds(seconds);
  return true;
}

}  // namespace

void AddGuardOptions(CLI::App& app, Options* options) {
  app.add_flag("--limit-loopback", options->address_policy.limit_loopback,
               "Apply the per-address limits and flood control to loopback "
               "clients too (exempt by default)");
  const CLI::Validator cidr(
      [](std::string& text) -> std::string {
        if (ParseCidr(text)) return {};
        return "expected an IPv4 or IPv6 address or prefix such as "
               "10.0.0.0/8 or 2001:db8::/32, not " +
               text;
      },
      "", "CIDR");
  app.add_option_function<std::vector<std::string>>(
         "--exempt",
         [options](const std::vector<std::string>& values) {
           for (const std::string& value : values) {
             options->address_policy.exempt.push_back(*ParseCidr(value));
           }
         },
         "Exempt clients in CIDR (e.g. 10.0.0.0/8, 2001:db8::/32) from the "
         "per-address limits and flood control (repeatable)")
      ->type_name("CIDR")
      ->allow_extra_args(false)  // one CIDR per --exempt, then PORT
      ->check(cidr);

  app.add_option("--max-per-address", options->address_limits.max_per_address,
                 "Most connections open at once from one address (IPv6: "
                 "one /64)")
      ->type_name("N")
      ->check(CLI::Range(1, 65536).description(""))
      ->capture_default_str();
  AddressLimitsConfig& limits = options->address_limits;
  app.add_option("--max-users-per-address", limits.max_users,
                 "Most registered users from one address (default: half of "
                 "--max-users, at most --max-per-address, at least 1)")
      ->type_name("N")
      ->check(CLI::Range(1, 100000).description(""));
  app.add_option_function<std::string>(
         "--connect-rate",
         [&limits](const std::string& value) {
           ParseConnectRate(value, &limits);
         },
         "Most new connections from one address per SECONDS (default "
         "32/10)")
      ->type_name("COUNT/SECONDS")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            AddressLimitsConfig unused;
            if (ParseConnectRate(text, &unused)) return {};
            return "expected COUNT/SECONDS such as 32/10, each 1 to 100000, "
                   "not " +
                   text;
          },
          "", "RATE"));

  app.add_option("--keepalive-idle", options->keepalive.idle_seconds,
                 "Seconds a client connection may be silent before TCP "
                 "keepalive probes start (0: no keepalive)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0, 32767).description(""))
      ->capture_default_str();
  app.add_option("--keepalive-interval", options->keepalive.interval_seconds,
                 "Seconds between keepalive probes")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 32767).description(""))
      ->capture_default_str();
  app.add_option("--keepalive-count", options->keepalive.count,
                 "Unanswered probes after which the connection is dropped")
      ->type_name("N")
      ->check(CLI::Range(1, 127).description(""))
      ->capture_default_str();
}

}  // namespace chat::server
