// chat-admin's command line with CLI11: a global --data-dir, then one
// subcommand with its own options. Every failure becomes one line on stderr
// and exit status 2; no command at all prints the usage instead.
#include "admin/options.h"

#include <CLI/CLI.hpp>

#include "admin/ban_target.h"
#include "admin/time_arg.h"
#include "protocol/text.h"
#include "store/database.h"

namespace chat::admin {
namespace {

struct Usage {
  std::string_view command;  // "" for the program itself
  std::string_view text;
};

constexpr Usage kUsages[] = {
    {"",
     "usage: chat-admin [--data-dir DIR] accounts [--json]\n"
     "       chat-admin [--data-dir DIR] sessions [--since TIME] "
     "[--name NAME] [--json]\n"
     "       chat-admin [--data-dir DIR] failed-logins [--since TIME] "
     "[--name NAME] [--json]\n"
     "       chat-admin [--data-dir DIR] delete NAME\n"
     "       chat-admin [--data-dir DIR] reset-password NAME\n"
     "       chat-admin [--data-dir DIR] ban NAME|ADDRESS|CIDR "
     "[--for DURATION]\n"
     "       chat-admin [--data-dir DIR] unban NAME|ADDRESS|CIDR\n"
     "       chat-admin [--data-dir DIR] bans [--json]\n"
     "       chat-admin [--data-dir DIR] kick NAME [REASON...]\n"
     "       chat-admin [--data-dir DIR] who [--json]\n"},
    {"accounts", "usage: chat-admin [--data-dir DIR] accounts [--json]\n"},
    {"sessions",
     "usage: chat-admin [--data-dir DIR] sessions [--since TIME] "
     "[--name NAME] [--json]\n"},
    {"failed-logins",
     "usage: chat-admin [--data-dir DIR] failed-logins [--since TIME] "
     "[--name NAME] [--json]\n"},
    {"delete", "usage: chat-admin [--data-dir DIR] delete NAME\n"},
    {"reset-password",
     "usage: chat-admin [--data-dir DIR] reset-password NAME\n"},
    {"ban",
     "usage: chat-admin [--data-dir DIR] ban NAME|ADDRESS|CIDR "
     "[--for DURATION]\n"},
    {"unban", "usage: chat-admin [--data-dir DIR] unban NAME|ADDRESS|CIDR\n"},
    {"bans", "usage: chat-admin [--data-dir DIR] bans [--json]\n"},
    {"kick", "usage: chat-admin [--data-dir DIR] kick NAME [REASON...]\n"},
    {"who", "usage: chat-admin [--data-dir DIR] who [--json]\n"},
};

// Our own usage lines first, where CLI11 would put its description and
// "Usage:", so that --help and the usage after a mistake start alike.
class UsageFormatter : public CLI::Formatter {
 public:
  std::string make_description(const CLI::App* app) const override {
    if (!app->get_parent()) return "";
    return app->get_description() + "\n\n";
  }
  std::string make_usage(const CLI::App* app, std::string) const override {
    const std::string command = app->get_parent() ? app->get_name() : "";
    for (const Usage& usage : kUsages) {
      if (usage.command == command) return std::string(usage.text);
    }
    return "";
  }
};

constexpr std::string_view kFooter =
    "Works on the data directory of chat-server(1), whether the server runs\n"
    "or not; kick and who need the running server. Times are UTC. Exit\n"
    "status: 0 done, 1 failed (no such account or ban, no database, a\n"
    "database error, no server running, the user is not on line), 2 bad\n"
    "command line.";

constexpr std::string_view kTimeHelp =
    "Only those since TIME: 2026-12-04T13:05:03Z, 2026-12-04 13:05, "
    "2026-12-04 (UTC), or 90m, 2h, 7d ago";

// CLI11 messages sometimes span lines; the contract is one line.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

ParsedCommandLine UsageError(const std::string& what) {
  ParsedCommandLine result;
  result.exit_status = kExitUsage;
  result.err = std::string(kProgram) + ": " + OneLine(what) + "\n";
  return result;
}

// The first argument that is neither an option nor --data-dir's value: the
// command the user meant, when CLI11 found none it knows.
std::optional<std::string> FirstWord(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--data-dir") {
      ++i;
    } else if (!arg.starts_with("-")) {
      return std::string(arg);
    }
  }
  return std::nullopt;
}

}  // namespace

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv) {
  Options options;
  std::string since_text;
  std::string name;

  CLI::App app;
  app.name(std::string(kProgram));
  auto formatter = std::make_shared<UsageFormatter>();
  formatter->column_width(24);
  app.formatter(formatter);
  app.footer(std::string(kFooter));
  app.set_version_flag("--version", std::string(kAdminVersion),
                       "Print the version and exit");
  app.add_option("--data-dir", options.data_dir,
                 "The server's data directory, holding chat-server.db")
      ->type_name("DIR")
      ->capture_default_str();
  // Global options may also follow the command.
  app.fallthrough();
  app.require_subcommand(1);

  auto* accounts = app.add_subcommand("accounts",
                                      "List the accounts: name, created, last "
                                      "login");
  auto* sessions = app.add_subcommand(
      "sessions",
      "List the audit log of sessions, oldest first: those that connected "
      "or ended since TIME, or are still open");
  auto* failed = app.add_subcommand(
      "failed-logins", "List the failed LOGIN attempts, oldest first");
  auto* remove = app.add_subcommand(
      "delete",
      "Delete an account with its waiting messages and private history");
  auto* reset = app.add_subcommand(
      "reset-password",
      "Set an account's password: read twice without echo from a terminal, "
      "or one line from standard input");
  auto* ban = app.add_subcommand(
      "ban",
      "Ban a name, an address or a network: refused with ERR Banned from "
      "now on, and removed at once if on line (BYE Kicked: banned)");
  auto* unban = app.add_subcommand("unban", "Lift a ban");
  auto* bans = app.add_subcommand("bans", "List the bans in force");
  auto* kick = app.add_subcommand(
      "kick",
      "End a user's session: the user is told BYE Kicked: REASON (the "
      "running server)");
  auto* who = app.add_subcommand(
      "who",
      "List the live sessions: name, account, address, since (the running "
      "server)");
  std::string target_text;
  std::string for_text;
  for (CLI::App* change : {ban, unban}) {
    change
        ->add_option("TARGET", target_text,
                     "A name, an address (192.0.2.7, 2001:db8::7) or a "
                     "network (192.0.2.0/24, 2001:db8::/32)")
        ->type_name("NAME|ADDRESS|CIDR")
        ->required();
  }
  ban->add_option("--for", for_text,
                  "Only this long: 30s, 90m, 2h, 7d (default: for ever)")
      ->type_name("DURATION");
  std::vector<std::string> reason_words;
  kick->add_option("NAME", name, "The user's name")
      ->type_name("NAME")
      ->required();
  kick->add_option("REASON", reason_words,
                   "What the user is told (default: \"" +
                       std::string(kDefaultKickReason) + "\")")
      ->type_name("REASON");
  for (CLI::App* listing : {accounts, sessions, failed, bans, who}) {
    listing->add_flag("--json", options.json,
                      "One JSON object a line, for scripts");
  }
  bool name_given = false;
  for (CLI::App* audit : {sessions, failed}) {
    audit->add_option("--since", since_text, std::string(kTimeHelp))
        ->type_name("TIME");
    audit
        ->add_option_function<std::string>(
            "--name",
            [&](const std::string& value) {
              name = value;
              name_given = true;
            },
            "Only those of this name")
        ->type_name("NAME");
  }
  for (CLI::App* change : {remove, reset}) {
    change->add_option("NAME", name, "The account's name")
        ->type_name("NAME")
        ->required();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    ParsedCommandLine result;
    result.out = app.help();
    return result;
  } catch (const CLI::CallForAllHelp&) {
    ParsedCommandLine result;
    result.out = app.help();
    return result;
  } catch (const CLI::CallForVersion&) {
    ParsedCommandLine result;
    result.out = std::string(kAdminVersion) + "\n";
    return result;
  } catch (const CLI::ParseError& error) {
    if (argc <= 1) {  // no command: say what the commands are
      ParsedCommandLine result;
      result.exit_status = kExitUsage;
      result.err = app.help();
      return result;
    }
    if (app.get_subcommands().empty()) {
      if (auto word = FirstWord(argc, argv)) {
        return UsageError("unknown command \"" +
                          protocol::SanitizeForTerminal(*word) +
                          "\": give accounts, sessions, failed-logins, "
                          "delete, reset-password, ban, unban, bans, kick "
                          "or who");
      }
    }
    return UsageError(error.what());
  }

  if (accounts->parsed()) options.command = Command::kAccounts;
  if (sessions->parsed()) options.command = Command::kSessions;
  if (failed->parsed()) options.command = Command::kFailedLogins;
  if (remove->parsed()) options.command = Command::kDelete;
  if (reset->parsed()) options.command = Command::kResetPassword;
  if (ban->parsed()) options.command = Command::kBan;
  if (unban->parsed()) options.command = Command::kUnban;
  if (bans->parsed()) options.command = Command::kBans;
  if (kick->parsed()) options.command = Command::kKick;
  if (who->parsed()) options.command = Command::kWho;

  if (ban->parsed() || unban->parsed()) {
    auto target = ParseBanTarget(target_text);
    if (!target) {
      return UsageError("cannot ban \"" +
                        protocol::SanitizeForTerminal(target_text) +
                        "\": give a name (1 to 32 letters and digits), an "
                        "address or a network such as 192.0.2.0/24");
    }
    options.ban_kind = target->kind;
    options.ban_target = target->target;
    options.ban_shown = target->shown;
  }
  if (!for_text.empty()) {
    options.for_ms = ParseDurationMs(for_text);
    if (!options.for_ms) {
      return UsageError("--for: cannot read \"" +
                        protocol::SanitizeForTerminal(for_text) +
                        "\" as a duration: give 30s, 90m, 2h or 7d");
    }
  }
  if (kick->parsed()) {
    for (const std::string& word : reason_words) {
      if (!options.reason.empty()) options.reason += ' ';
      options.reason += word;
    }
    if (options.reason.empty()) options.reason = kDefaultKickReason;
    if (options.reason.size() > kMaxKickReason ||
        !protocol::IsValidText(options.reason)) {
      return UsageError("the reason must be at most " +
                        std::to_string(kMaxKickReason) +
                        " bytes of text without control characters");
    }
  }

  if (name_given || remove->parsed() || reset->parsed() || kick->parsed()) {
    if (!protocol::IsValidUsername(name)) {
      return UsageError("invalid username \"" +
                        protocol::SanitizeForTerminal(name) +
                        "\": 1 to 32 letters and digits");
    }
  }
  options.name = name;
  if (!since_text.empty()) {
    options.since = ParseTimeArg(since_text, store::NowMs());
    if (!options.since) {
      return UsageError("--since: cannot read \"" +
                        protocol::SanitizeForTerminal(since_text) +
                        "\" as a time: give 2026-12-04T13:05:03Z, "
                        "2026-12-04 13:05, 2026-12-04 or 2h, 7d");
    }
  }
  if (options.data_dir.empty()) {
    return UsageError("--data-dir: the directory name is empty");
  }
  ParsedCommandLine result;
  result.options = options;
  return result;
}

}  // namespace chat::admin
