// The worker's sandbox: what a worker gives up once it is set up, so that
// code running in it because of a hostile connection (a bug in TLS, HTTP or
// WebSocket parsing) can do little beyond what the session itself may.
//
// In order: PR_SET_NO_NEW_PRIVS; a Landlock domain that grants no file
// system access (where the kernel offers Landlock; without it nothing fails;
// both entered by the spawner and inherited, see ConfineSpawner);
// a seccomp filter (libseccomp) that allows exactly the calls a worker makes,
// glibc's and GnuTLS's for it included. Calls that open files fail with
// EACCES; a call of the dangerous kind (execve, ptrace, making sockets,
// creating processes, signalling others, asking for executable memory, ...)
// traps: the worker reports the
// call number to the broker in a kForbiddenCall frame and exits with the
// status of EndReason::kForbiddenCall, and the broker logs the call by name.
// Any other call fails with ENOSYS, as a call the kernel does not know would.
//
// Why a trap and not SECCOMP_RET_KILL_PROCESS: a process killed by seccomp
// leaves only "killed by SIGSYS" behind, never which call it made, and the
// operator (or the developer who added a call without allowing it) needs the
// name. The trap still never lets the call run: the kernel skips it and
// delivers SIGSYS, whose handler only sends one frame and exits.
//
// The filter is compiled once, before the spawner starts (Prepare), and each
// new worker only loads the ready BPF program (Enter): compiling it costs
// about as much as the rest of a worker's start.
#ifndef CHAT_SERVER_SANDBOX_H_
#define CHAT_SERVER_SANDBOX_H_

#include <linux/filter.h>

#include <optional>
#include <string>
#include <vector>

namespace chat::server {

class Sandbox {
 public:
  // Compiles the filter; nullopt with *error set if libseccomp cannot.
  static std::optional<Sandbox> Prepare(std::string* error);

  // Enters the sandbox in a throw-away child, so that a system that does
  // not let a process load a filter (an outer seccomp policy forbidding
  // seccomp(2)) is found at start-up rather than by every worker. False
  // with *error set.
  bool Probe(std::string* error) const;

  // The part of the confinement a worker inherits: PR_SET_NO_NEW_PRIVS and
  // the Landlock domain, entered once by the spawner before it clones any
  // worker (it needs neither new privileges nor files after start-up), so
  // that a worker's start costs only the filter. Best effort, as Landlock.
  void ConfineSpawner() const;

  // Confines the calling process (a worker, single-threaded) for good.
  // `channel` is the fd a forbidden call is reported on. False with *error
  // set if the kernel refused (the caller should not serve the client then).
  bool Enter(int channel, std::string* error) const;

 private:
  explicit Sandbox(std::vector<sock_filter> program)
      : program_(std::move(program)) {}

  std::vector<sock_filter> program_;
};

// The name of system call `number` on this machine ("execve"), or its number
// when libseccomp does not know it.
std::string SystemCallName(int number);

}  // namespace chat::server

#endif  // CHAT_SERVER_SANDBOX_H_
