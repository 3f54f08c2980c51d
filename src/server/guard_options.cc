// --limit-loopback and --exempt CIDR (address_policy.h).
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
}

}  // namespace chat::server
