// --no-sandbox, --user NAME.
#include "server/sandbox_options.h"

namespace chat::server {

void AddSandboxOptions(CLI::App& app, Options* options) {
  app.add_flag_callback(
      "--no-sandbox", [options] { options->sandbox = false; },
      "For debugging only: workers keep every system call and file access "
      "(no seccomp filter, no Landlock)");
  app.add_option("--user", options->user,
                 "When started as root: bind the listeners, then run every "
                 "process as user NAME")
      ->type_name("NAME");
}

}  // namespace chat::server
