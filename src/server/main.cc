// chat-server: parses the command line, opens the listening sockets and the
// shared registry, and hands over to the broker. Exit status: 0 after a
// SIGTERM/SIGINT shutdown, 1 when the server cannot start or fails, 2 for a
// bad command line.
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "ipc/registry.h"
#include "server/broker.h"
#include "server/data_dir.h"
#include "server/listener.h"
#include "server/log.h"
#include "server/options.h"
#include "server/password.h"
#include "server/privileges.h"
#include "server/sandbox.h"
#include "server/spawner.h"
#include "server/ways_in.h"

namespace {

// Set from the command line: the program's name as it was started.
std::string program_name = "chat-server";

int StartupFailure(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program_name.c_str(), what.c_str());
  return chat::server::kExitFailure;
}

// The broker holds one channel fd per connection, so --max-connections above
// the usual soft limit of 1024 open files needs the limit raised (as far as
// the hard limit allows; short of it, the surplus connections are refused
// one by one, logged, rather than the server failing).
void RaiseOpenFileLimit(uint32_t max_connections,
                        const chat::server::Log& log) {
  constexpr rlim_t kSpareFds = 64;  // listeners, epoll, signalfd, in-flight
  rlim_t wanted = max_connections + kSpareFds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) {
    return;
  }
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < wanted) {
    log.Error(chat::server::kServerSubject,
              "open file limit " + std::to_string(limit.rlim_cur) +
                  " is below what --max-connections " +
                  std::to_string(max_connections) + " needs");
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chat::server;
  ParsedCommandLine parsed = ParseCommandLine(argc, argv);
  program_name = parsed.program;
  if (!parsed.options) {
    std::fputs(parsed.out.c_str(), stdout);
    std::fputs(parsed.err.c_str(), stderr);
    return parsed.exit_status;
  }
  const Options& options = *parsed.options;

  // A peer that vanishes must cost an error code, never the process.
  signal(SIGPIPE, SIG_IGN);
  // Blocked before any child exists, so none is reaped or signalled before
  // the broker's signalfd is there to see it; workers inherit the mask and
  // take over SIGTERM/SIGINT with their own signalfd.
  sigset_t handled;
  sigemptyset(&handled);
  sigaddset(&handled, SIGCHLD);
  sigaddset(&handled, SIGTERM);
  sigaddset(&handled, SIGINT);
  if (sigprocmask(SIG_BLOCK, &handled, nullptr) != 0) {
    return StartupFailure(ErrnoText("sigprocmask", errno));
  }

  Log log(STDERR_FILENO, options.log_level);
  RaiseOpenFileLimit(options.max_connections, log);
  std::string error;
  std::optional<RunAs> run_as;
  if (!options.user.empty()) {
    run_as = FindRunAs(options.user, &error);
    if (!run_as) return StartupFailure(error);
  }
  std::optional<chat::ipc::UniqueFd> data_lock;
  auto lock_data_dir = [&] {
    if (!options.ephemeral) data_lock = LockDataDir(options.data_dir, &error);
    return options.ephemeral || data_lock.has_value();
  };
  // Under --user the directory is opened as the user, after the drop.
  if (!run_as && !lock_data_dir()) return StartupFailure(error);
  auto listeners = OpenListeners(options.bind, options.port, &error);
  if (!listeners) return StartupFailure(error);
  if (!OpenOtherListeners(options, &*listeners, &error)) {
    return StartupFailure(error);
  }
  // TLS credentials and the web page: loaded here, once, before the
  // spawner exists, and only read by every worker. Under --user, a key the
  // operator named is read as root (it is usually readable by root alone);
  // a self-signed certificate the server makes is made as the user.
  std::unique_ptr<WaysIn> ways_in;
  if (!run_as || !options.tls_cert.empty()) {
    ways_in = PrepareWaysIn(options, log, &error);
    if (!ways_in) return StartupFailure(error);
  }
  if (run_as) {
    if (!options.ephemeral &&
        !PrepareDataDirFor(*run_as, options.data_dir, &error)) {
      return StartupFailure(error);
    }
    if (!DropPrivileges(*run_as, &error)) return StartupFailure(error);
    log.Info(kServerSubject, "running as user " + run_as->name + " (uid " +
                                 std::to_string(run_as->uid) + ", gid " +
                                 std::to_string(run_as->gid) + ")");
    if (!lock_data_dir()) return StartupFailure(error);
    if (!ways_in) ways_in = PrepareWaysIn(options, log, &error);
    if (!ways_in) return StartupFailure(error);
  }
  // The workers' seccomp filter, compiled once for all of them.
  std::optional<Sandbox> sandbox;
  if (options.sandbox) {
    sandbox = Sandbox::Prepare(&error);
    if (!sandbox || !sandbox->Probe(&error)) {
      return StartupFailure("sandbox: " + error);
    }
  } else {
    log.Info(kServerSubject,
             "--no-sandbox: workers run unconfined (debugging only)");
  }
  auto registry = chat::ipc::Registry::Create(options.max_users,
                                              options.max_connections, &error);
  if (!registry) return StartupFailure("registry: " + error);
  registry->SetDefaultPrivacy(options.privacy_ask);
  // Now, while this process is small and after the registry is mapped (the
  // spawner and so every worker inherit the mapping); see spawner.h.
  // At most one Argon2id hash per CPU at a time, server-wide.
  if (sodium_init() < 0) return StartupFailure("libsodium cannot start");
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  auto hash_slots =
      HashSlots::Create(cpus > 0 ? static_cast<unsigned>(cpus) : 1, &error);
  if (!hash_slots) return StartupFailure("hash slots: " + error);
  SpawnContext spawn_context{&*registry,    &options,
                             &log,          &*hash_slots,
                             ways_in.get(), sandbox ? &*sandbox : nullptr};
  std::optional<Spawner> spawner = Spawner::Start(spawn_context, &error);
  if (!spawner) return StartupFailure("spawner: " + error);
  const pid_t spawner_pid = spawner->pid();

  std::vector<std::string> addresses;
  for (const auto& listener : *listeners) {
    addresses.push_back(listener.address + ListeningSuffix(listener.way));
  }
  Broker broker(options, log, *registry, std::move(*listeners),
                std::move(*spawner), spawn_context);
  if (!broker.Init(&error)) return StartupFailure(error);

  // The line scripts and tests wait for; on stdout even under -q.
  for (const auto& address : addresses) {
    std::printf("listening on %s\n", address.c_str());
  }
  if (ways_in->tls) {
    std::printf("tls fingerprint %s\n", ways_in->tls->fingerprint().c_str());
  }
  std::fflush(stdout);
  log.Info(kServerSubject,
           "started: max users " + std::to_string(options.max_users) +
               ", max connections " + std::to_string(options.max_connections) +
               ", send queue " + std::to_string(options.send_queue) +
               " bytes, join timeout " +
               std::to_string(options.join_timeout_seconds) + " s");
  log.Info(kServerSubject,
           "spawner started, pid " + std::to_string(spawner_pid));
  return broker.Run();
}
