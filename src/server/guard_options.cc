// --limit-loopback and --exempt CIDR (address_policy.h); --keepalive-idle,
// --keepalive-interval, --keepalive-count (keepalive.h).
#include "server/guard_options.h"

#include <string>

#include "server/address_policy.h"

namespace chat::server {

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
