// What every program of the project prints about its command line, on top
// of CLI11: --help that starts with one "usage:" line and shows each value
// once (a positional that also has an option, like PORT and --port, is
// listed only as the option), and one-line errors that name the program,
// the option and where to look.
#ifndef CHAT_COMMAND_LINE_USAGE_H_
#define CHAT_COMMAND_LINE_USAGE_H_

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace chat::command_line {

class HelpFormatter : public CLI::Formatter {
 public:
  // `usage` is the usage line without "usage: " and the program's name,
  // e.g. "[OPTIONS] PORT".
  HelpFormatter(std::string program, std::string usage);

  // "usage: chat-server [OPTIONS] PORT"
  std::string UsageLine() const;

  std::string make_usage(const CLI::App* app, std::string) const override;
  std::string make_description(const CLI::App*) const override;
  std::string make_positionals(const CLI::App* app) const override;
  // The value's name and default; not CLI11's "REQUIRED" or "Excludes:".
  std::string make_option_opts(const CLI::Option* option) const override;

 private:
  std::string program_;
  std::string usage_;
};

// Installs a HelpFormatter on `app` and returns it.
std::shared_ptr<HelpFormatter> UseHelpFormatter(CLI::App* app,
                                                std::string program,
                                                std::string usage);

// One line (with its LF) for a command line that CLI11 refused, e.g.
// "chat-server: unknown option --bogus; see chat-server --help".
std::string UsageErrorLine(std::string_view program,
                           const CLI::ParseError& error);

// The same shape for an error found after parsing: "PROGRAM: WHAT; see
// PROGRAM --help\n".
std::string UsageErrorLine(std::string_view program, std::string_view what);

}  // namespace chat::command_line

#endif  // CHAT_COMMAND_LINE_USAGE_H_
