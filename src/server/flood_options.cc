// --flood BURST:RATE|off.
#include "server/flood_options.h"

#include "server/flood.h"

namespace chat::server {

void AddFloodOptions(CLI::App& app, Options* options) {
  app.add_option_function<std::string>(
         "--flood",
         [options](const std::string& value) {
           std::string error;
           if (!ParseFlood(value, &options->flood, &error)) {
             throw CLI::ValidationError(error);
           }
         },
         "Lines a client may send at once, and per second after that, "
         "before the server reads it more slowly; off: no limit")
      ->type_name("BURST:RATE|off")
      ->default_str(FloodText(kDefaultFlood));
}

}  // namespace chat::server
