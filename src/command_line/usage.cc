// HelpFormatter and the one-line usage errors.
#include "command_line/usage.h"

#include <memory>
#include <utility>

namespace chat::command_line {
namespace {

// CLI11 messages sometimes span lines; ours are one.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// CLI11's "The following argument(s) was/were not expected: X Y", said
// the way command-line programs say it.
std::string ExtrasText(const std::string& what) {
  const size_t colon = what.find(": ");
  const std::string args =
      colon == std::string::npos ? what : what.substr(colon + 2);
  const bool option = !args.empty() && args.front() == '-';
  return (option ? "unknown option " : "unexpected argument ") + args;
}

}  // namespace

HelpFormatter::HelpFormatter(std::string program, std::string usage)
    : program_(std::move(program)), usage_(std::move(usage)) {}

std::string HelpFormatter::UsageLine() const {
  return "usage: " + program_ + " " + usage_;
}

// CLI11 puts the description first; ours follows the usage line.
std::string HelpFormatter::make_usage(const CLI::App* app, std::string) const {
  const std::string& description = app->get_description();
  return UsageLine() + "\n" +
         (description.empty() ? std::string() : description + "\n");
}

std::string HelpFormatter::make_description(const CLI::App*) const {
  return std::string();
}

std::string HelpFormatter::make_positionals(const CLI::App* app) const {
  const auto positionals = app->get_options([](const CLI::Option* option) {
    return !option->get_group().empty() && option->get_positional() &&
           option->get_lnames().empty();
  });
  if (positionals.empty()) return std::string();
  return make_group(get_label("Positionals"), true, positionals);
}

std::string HelpFormatter::make_option_opts(const CLI::Option* option) const {
  if (!option->get_option_text().empty()) {
    return " " + option->get_option_text();
  }
  std::string text;
  if (option->get_type_size() != 0) {
    if (!option->get_type_name().empty()) {
      text += " " + get_label(option->get_type_name());
    }
    if (!option->get_default_str().empty()) {
      text += "=" + option->get_default_str();
    }
  }
  return text;
}

std::shared_ptr<HelpFormatter> UseHelpFormatter(CLI::App* app,
                                                std::string program,
                                                std::string usage) {
  auto formatter =
      std::make_shared<HelpFormatter>(std::move(program), std::move(usage));
  app->formatter(formatter);
  return formatter;
}

std::string UsageErrorLine(std::string_view program,
                           const CLI::ParseError& error) {
  const std::string what = OneLine(error.what());
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    return UsageErrorLine(program, ExtrasText(what));
  }
  return UsageErrorLine(program, what);
}

std::string UsageErrorLine(std::string_view program, std::string_view what) {
  return std::string(program) + ": " + std::string(what) + "; see " +
         std::string(program) + " --help\n";
}

}  // namespace chat::command_line
