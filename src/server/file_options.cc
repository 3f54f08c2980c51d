// File transfer's options.
#include "server/file_options.h"

#include <CLI/CLI.hpp>

namespace chat::server {

void AddFileOptions(CLI::App& app, Options* options) {
  app.add_option("--max-file-size", options->max_file_size,
                 "Largest file a FILE OFFER may announce, in bytes")
      ->type_name("BYTES")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 50).description(""))
      ->capture_default_str();
  app.add_option("--file-offer-timeout", options->file_offer_timeout_seconds,
                 "Seconds an offered file waits for ACCEPT or REJECT")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 86400).description(""))
      ->capture_default_str();
  app.add_option("--file-stall-timeout", options->file_stall_timeout_seconds,
                 "Seconds an accepted transfer may go without DATA or ACK")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 86400).description(""))
      ->capture_default_str();
}

FileLimits FileLimitsOf(const Options& options) {
  FileLimits limits;
  limits.offer_timeout =
      std::chrono::seconds(options.file_offer_timeout_seconds);
  limits.stall_timeout =
      std::chrono::seconds(options.file_stall_timeout_seconds);
  return limits;
}

}  // namespace chat::server
