// The worker's sandbox; see sandbox.h.
#include "server/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "ipc/channel.h"
#include "server/end_reason.h"
#include "server/log.h"

namespace chat::server {
namespace {

// What a worker does after Enter (worker.cc, session*.cc, the transports,
// libsodium's Argon2id, glibc's malloc and stdio for them): sockets it was
// given (read, write, send, receive, poll, options), memory, time, futexes
// (the registry's robust mutex, the hash slots), getrandom (GnuTLS, the
// session's nonces), its signalfd, and its own end.
constexpr const char* kAllowed[] = {
    // I/O on the client socket, the channel, the signalfd and stderr.
    "read",
    "write",
    "readv",
    "writev",
    "recvfrom",
    "recvmsg",
    "recvmmsg",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "close",
    "shutdown",
    "poll",
    "ppoll",
    "fcntl",
    "setsockopt",
    "getsockopt",
    "getsockname",
    "getpeername",
    "fstat",
    "newfstatat",
    "lseek",
    // Memory: glibc's malloc, libsodium's guarded allocations for Argon2id
    // (mmap and mprotect too, but never executable: see AddNoExecRules).
    "brk",
    "munmap",
    "mremap",
    "madvise",
    "mlock",
    "munlock",
    // Time, waiting, locks.
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "nanosleep",
    "clock_nanosleep",
    "futex",
    "sched_yield",
    "restart_syscall",
    // Randomness (GnuTLS, libsodium).
    "getrandom",
    // Signals: the signalfd's mask, the SIGSYS handler's return.
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    // Who am I (GnuTLS checks getpid() to notice a fork); glibc's thread
    // bookkeeping.
    "getpid",
    "gettid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "rseq",
    "set_robust_list",
    "sched_getaffinity",
    // The end.
    "exit",
    "exit_group",
};

#if defined(__SANITIZE_ADDRESS__)
// Sanitized builds only (make asan): the AddressSanitizer and UBSan
// runtimes check whether memory is readable by writing it to a pipe (UBSan's
// vptr check), read their executable's name, and query their limits and
// mappings. Allowed there so that the sanitized suite tests the same filter
// as the release build otherwise; the release build never has them.
constexpr const char* kSanitizerAllowed[] = {
    "pipe",    "pipe2", "readlink", "readlinkat", "getrlimit", "prlimit64",
    "mincore", "prctl", "dup",      "dup2",       "dup3",
};
#endif

// Calls that open or create files: refused as a permission would be.
constexpr const char* kOpening[] = {
    "open",
    "openat",
    "openat2",
    "creat",
    "open_by_handle_at",
    "name_to_handle_at",
    "memfd_create",
    "memfd_secret",
};

// Calls no worker ever makes and that only code taken over by an attacker
// would: running programs, new processes, tracing or signalling others, new
// sockets and listeners, namespaces, mounts, kernel modules, BPF.
constexpr const char* kDangerous[] = {
    "execve",
    "execveat",
    "fork",
    "vfork",
    "clone",
    "clone3",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "kcmp",
    "kill",
    "tkill",
    "tgkill",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "setns",
    "unshare",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "keyctl",
    "add_key",
    "request_key",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "capset",
    "personality",
};

// Where the SIGSYS handler reports: the worker's channel to the broker.
int report_fd = -1;

void OnForbiddenCall(int, siginfo_t* info, void*) {
  // Async-signal-safe: a frame header built by hand (channel.h's layout:
  // kind, three zero bytes, count, target) and one send(); the channel is
  // SOCK_SEQPACKET, so the frame arrives whole or not at all.
  char frame[ipc::kFrameHeaderSize] = {};
  frame[0] = static_cast<char>(ipc::FrameKind::kForbiddenCall);
  uint32_t number = static_cast<uint32_t>(info->si_syscall);
  std::memcpy(frame + 4, &number, sizeof number);
  (void)send(report_fd, frame, sizeof frame, MSG_DONTWAIT | MSG_NOSIGNAL);
  _exit(ExitStatusOf(EndReason::kForbiddenCall));
}

// Landlock (Linux 5.13 and later): a domain that handles every file system
// access right this header and the kernel know, with no rule granting any.
// Best effort: a kernel without it, or one that has it disabled, leaves the
// worker to seccomp alone. Raw system calls: glibc has no wrappers.
void EnterLandlock() {
#if defined(SYS_landlock_create_ruleset) && defined(SYS_landlock_restrict_self)
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0,
                     LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 1) return;
  landlock_ruleset_attr attr{};
  attr.handled_access_fs =
      (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // ABI 1: bits 0-12
#ifdef LANDLOCK_ACCESS_FS_REFER
  if (abi >= 2) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
  if (abi >= 3) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
  int ruleset = static_cast<int>(
      syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0));
  if (ruleset < 0) return;
  (void)syscall(SYS_landlock_restrict_self, ruleset, 0);
  close(ruleset);
#endif
}

// Adds `action` for each named call this architecture has.
template <size_t N>
bool AddRules(scmp_filter_ctx filter, uint32_t action,
              const char* const (&names)[N], std::string* error) {
  for (const char* name : names) {
    int number = seccomp_syscall_resolve_name(name);
    if (number == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (int result = seccomp_rule_add(filter, action, number, 0); result != 0) {
      *error = std::string("seccomp_rule_add ") + name + ": " +
               std::strerror(-result);
      return false;
    }
  }
  return true;
}

// mmap and mprotect are allowed for data only: asking for executable
// memory (PROT_EXEC), the step that turns written bytes into code, is a
// dangerous call like the others.
bool AddNoExecRules(scmp_filter_ctx filter, std::string* error) {
  for (int number : {SCMP_SYS(mmap), SCMP_SYS(mprotect)}) {
    if (int result =
            seccomp_rule_add(filter, SCMP_ACT_ALLOW, number, 1,
                             SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        result != 0) {
      *error = std::string("seccomp_rule_add: ") + std::strerror(-result);
      return false;
    }
    if (int result =
            seccomp_rule_add(filter, SCMP_ACT_TRAP, number, 1,
                             SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
        result != 0) {
      *error = std::string("seccomp_rule_add: ") + std::strerror(-result);
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<Sandbox> Sandbox::Prepare(std::string* error) {
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
  if (filter == nullptr) {
    *error = "seccomp_init failed";
    return std::nullopt;
  }
  // A binary tree of the allowed calls rather than a chain of comparisons
  // (libseccomp 2.5 and later). Every worker loads the program, and the
  // kernel's cost of loading it grows with the path to each call: it runs
  // the program once for each system call number to fill its action cache.
  // Measured over fork, load and exit in a loop on this project's machine:
  // more than half of the load's cost gone.
  if (int result = seccomp_attr_set(filter, SCMP_FLTATR_CTL_OPTIMIZE, 2);
      result != 0) {
    *error =
        std::string("seccomp_attr_set optimize: ") + std::strerror(-result);
    seccomp_release(filter);
    return std::nullopt;
  }
  std::optional<Sandbox> sandbox;
  // The program is exported through a pipe (libseccomp 2.5 writes it to an
  // fd only), read back and kept; it is a few kilobytes at most, well
  // within a pipe's buffer.
  int pipe_fds[2] = {-1, -1};
  bool sanitizer_rules = true;
#if defined(__SANITIZE_ADDRESS__)
  sanitizer_rules = AddRules(filter, SCMP_ACT_ALLOW, kSanitizerAllowed, error);
#endif
  if (sanitizer_rules && AddRules(filter, SCMP_ACT_ALLOW, kAllowed, error) &&
      AddNoExecRules(filter, error) &&
      AddRules(filter, SCMP_ACT_ERRNO(EACCES), kOpening, error) &&
      AddRules(filter, SCMP_ACT_TRAP, kDangerous, error)) {
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
      *error = ErrnoText("pipe2", errno);
    } else if (int result = seccomp_export_bpf(filter, pipe_fds[1]);
               result != 0) {
      *error = std::string("seccomp_export_bpf: ") + std::strerror(-result);
    } else {
      close(pipe_fds[1]);
      pipe_fds[1] = -1;
      std::string bytes;
      char chunk[4096];
      ssize_t n;
      while ((n = read(pipe_fds[0], chunk, sizeof chunk)) > 0) {
        bytes.append(chunk, static_cast<size_t>(n));
      }
      if (n < 0 || bytes.empty() || bytes.size() % sizeof(sock_filter) != 0) {
        *error = "seccomp_export_bpf wrote no whole program";
      } else {
        std::vector<sock_filter> program(bytes.size() / sizeof(sock_filter));
        std::memcpy(program.data(), bytes.data(), bytes.size());
        sandbox = Sandbox(std::move(program));
      }
    }
  }
  for (int fd : pipe_fds) {
    if (fd >= 0) close(fd);
  }
  seccomp_release(filter);
  return sandbox;
}

bool Sandbox::Enter(int channel, std::string* error) const {
  report_fd = channel;
  struct sigaction action {};
  action.sa_sigaction = OnForbiddenCall;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSYS, &action, nullptr) != 0) {
    *error = ErrnoText("sigaction SIGSYS", errno);
    return false;
  }
  // Inherited from the spawner; set again in case it could not be there
  // (seccomp refuses a filter without it, and the call costs nothing).
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *error = ErrnoText("prctl PR_SET_NO_NEW_PRIVS", errno);
    return false;
  }
  sock_fprog program{static_cast<unsigned short>(program_.size()),
                     const_cast<sock_filter*>(program_.data())};
  // A single-threaded process: no SECCOMP_FILTER_FLAG_TSYNC needed.
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
    *error = ErrnoText("seccomp", errno);
    return false;
  }
  return true;
}

bool Sandbox::Probe(std::string* error) const {
  pid_t child = fork();
  if (child < 0) {
    *error = ErrnoText("fork", errno);
    return false;
  }
  if (child == 0) {
    std::string ignored;
    _exit(Enter(-1, &ignored) ? 0 : (errno & 0x7f) | 0x80);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) & 0x7f : 0;
  *error = "a worker cannot enter it here (" +
           (code != 0 ? std::string(std::strerror(code))
                      : "status " + std::to_string(status)) +
           "): if an outer sandbox forbids seccomp(2) or prctl(2), allow "
           "them, or start with --no-sandbox";
  return false;
}

void Sandbox::ConfineSpawner() const {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) EnterLandlock();
}

std::string SystemCallName(int number) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, number);
  std::string text =
      name != nullptr ? std::string(name) + " (" + std::to_string(number) + ")"
                      : "number " + std::to_string(number);
  std::free(name);
  return text;
}

}  // namespace chat::server
