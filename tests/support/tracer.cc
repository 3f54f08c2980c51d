// See tracer.h.
#include "support/tracer.h"

#include <elf.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace chat::test {
namespace {

using Clock = std::chrono::steady_clock;

// The mangled name of chat::ipc::TracePoint(const char*).
constexpr char kTracePointSymbol[] = "_ZN4chat3ipc10TracePointEPKc";

// The value of `name` in the ELF file's symbol table (the build keeps it;
// an installed, stripped program has none), or 0.
uint64_t SymbolValue(const std::string& path, const char* name) {
  std::ifstream file(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                          std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof(Elf64_Ehdr)) return 0;
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_shoff + uint64_t{header.e_shnum} * sizeof(Elf64_Shdr) >
          bytes.size()) {
    return 0;
  }
  auto section = [&](size_t i) {
    Elf64_Shdr s;
    std::memcpy(&s, bytes.data() + header.e_shoff + i * sizeof s, sizeof s);
    return s;
  };
  for (size_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr symbols = section(i);
    if (symbols.sh_type != SHT_SYMTAB || symbols.sh_link >= header.e_shnum) {
      continue;
    }
    Elf64_Shdr names = section(symbols.sh_link);
    if (symbols.sh_offset + symbols.sh_size > bytes.size() ||
        names.sh_offset + names.sh_size > bytes.size()) {
      return 0;
    }
    for (size_t at = 0; at + sizeof(Elf64_Sym) <= symbols.sh_size;
         at += sizeof(Elf64_Sym)) {
      Elf64_Sym symbol;
      std::memcpy(&symbol, bytes.data() + symbols.sh_offset + at,
                  sizeof symbol);
      if (symbol.st_name < names.sh_size &&
          std::strcmp(bytes.data() + names.sh_offset + symbol.st_name, name) ==
              0) {
        return symbol.st_value;
      }
    }
  }
  return 0;
}

// The lowest address the program `exe` is mapped at in `pid` (its load
// base, for a position-independent program).
uintptr_t LoadBase(pid_t pid, const std::string& exe) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    fields >> range >> perms >> offset >> device >> inode >> path;
    if (path == exe && std::stoull(offset, nullptr, 16) == 0) {
      return std::stoull(range.substr(0, range.find('-')), nullptr, 16);
    }
  }
  return 0;
}

}  // namespace

std::unique_ptr<Tracer> Tracer::Attach(pid_t pid, std::string* error) {
#if defined(__x86_64__)
  if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) {
    *error = std::string("PTRACE_SEIZE: ") + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<Tracer>(new Tracer(pid));
#else
  (void)pid;
  *error = "the tracer knows x86-64 only";
  return nullptr;
#endif
}

Tracer::~Tracer() {
  if (!attached_) return;
  if (Interrupt(std::chrono::milliseconds(2000))) {
    ptrace(PTRACE_DETACH, pid_, nullptr, nullptr);
  }
}

bool Tracer::Wait(int* status, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    pid_t got = waitpid(pid_, status, __WALL | WNOHANG);
    if (got == pid_) {
      if (WIFEXITED(*status) || WIFSIGNALED(*status)) attached_ = false;
      return true;
    }
    if (got < 0 && errno != EINTR) {
      attached_ = false;
      return false;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool Tracer::Interrupt(std::chrono::milliseconds timeout) {
  if (ptrace(PTRACE_INTERRUPT, pid_, nullptr, nullptr) != 0) return false;
  int status = 0;
  while (Wait(&status, timeout)) {
    if (!WIFSTOPPED(status)) return false;
    if (status >> 16 == PTRACE_EVENT_STOP) return true;
    // A signal arrived first: deliver it, then take the interrupt's stop.
    ptrace(PTRACE_CONT, pid_, nullptr, WSTOPSIG(status));
  }
  return false;
}

uintptr_t Tracer::TracePointAddress() {
  char exe[4096];
  ssize_t n = readlink(("/proc/" + std::to_string(pid_) + "/exe").c_str(), exe,
                       sizeof exe - 1);
  if (n <= 0) return 0;
  exe[n] = '\0';
  uint64_t value = SymbolValue(exe, kTracePointSymbol);
  uintptr_t base = LoadBase(pid_, exe);
  return value == 0 || base == 0 ? 0 : base + value;
}

bool Tracer::RunToTracePoint(const std::string& stage,
                             std::chrono::milliseconds timeout,
                             const std::function<void()>& meanwhile) {
#if defined(__x86_64__)
  const auto deadline = Clock::now() + timeout;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(deadline - Clock::now(), Clock::duration::zero()));
  };
  if (!Interrupt(timeout)) return false;
  uintptr_t address = TracePointAddress();
  if (address == 0) return false;
  errno = 0;
  long original = ptrace(PTRACE_PEEKTEXT, pid_, address, nullptr);
  if (errno != 0) return false;
  const long trap = (original & ~0xffL) | 0xcc;  // int3
  if (ptrace(PTRACE_POKETEXT, pid_, address, trap) != 0) return false;
  meanwhile();
  int signal = 0;
  for (;;) {
    if (ptrace(PTRACE_CONT, pid_, nullptr, signal) != 0) return false;
    signal = 0;
    int status = 0;
    if (!Wait(&status, left()) || !WIFSTOPPED(status)) return false;
    if (status >> 16 == PTRACE_EVENT_STOP) continue;
    if (WSTOPSIG(status) != SIGTRAP) {
      signal = WSTOPSIG(status);
      continue;
    }
    user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, pid_, nullptr, &regs) != 0) return false;
    if (regs.rip - 1 != address) continue;
    // At the breakpoint: the original instruction goes back, and the
    // process resumes from the function's start.
    char text[64] = {};
    iovec local{text, sizeof text - 1};
    iovec remote{reinterpret_cast<void*>(regs.rdi), sizeof text - 1};
    (void)process_vm_readv(pid_, &local, 1, &remote, 1, 0);
    regs.rip = address;
    if (ptrace(PTRACE_POKETEXT, pid_, address, original) != 0 ||
        ptrace(PTRACE_SETREGS, pid_, nullptr, &regs) != 0) {
      return false;
    }
    if (stage == text) return true;
    // Another stage: step over the instruction, put the trap back.
    if (ptrace(PTRACE_SINGLESTEP, pid_, nullptr, nullptr) != 0 ||
        !Wait(&status, left()) || !WIFSTOPPED(status) ||
        ptrace(PTRACE_POKETEXT, pid_, address, trap) != 0) {
      return false;
    }
  }
#else
  (void)stage;
  (void)timeout;
  (void)meanwhile;
  return false;
#endif
}

bool Tracer::Release() {
  if (!attached_) return false;
  attached_ = false;
  return ptrace(PTRACE_DETACH, pid_, nullptr, nullptr) == 0;
}

bool Tracer::Kill(std::chrono::milliseconds timeout) {
  if (kill(pid_, SIGKILL) != 0) return false;
  int status = 0;
  while (attached_ && Wait(&status, timeout)) {
  }
  return !attached_;
}

int Tracer::InjectSystemCall(long number, const uint64_t (&args)[6],
                             std::chrono::milliseconds timeout) {
#if defined(__x86_64__)
  if (!Interrupt(timeout)) return 0;
  uintptr_t address = TracePointAddress();
  if (address == 0) return 0;
  errno = 0;
  long original = ptrace(PTRACE_PEEKTEXT, pid_, address, nullptr);
  if (errno != 0) return 0;
  // The two bytes of `syscall` at TracePoint's start, which a worker in
  // poll() does not run meanwhile.
  const long code = (original & ~0xffffL) | 0x050f;
  user_regs_struct regs;
  if (ptrace(PTRACE_POKETEXT, pid_, address, code) != 0 ||
      ptrace(PTRACE_GETREGS, pid_, nullptr, &regs) != 0) {
    return 0;
  }
  regs.rip = address;
  regs.rax = static_cast<unsigned long long>(number);
  regs.orig_rax = ~0ULL;  // no restart of the interrupted poll
  regs.rdi = args[0];
  regs.rsi = args[1];
  regs.rdx = args[2];
  regs.r10 = args[3];
  regs.r8 = args[4];
  regs.r9 = args[5];
  if (ptrace(PTRACE_SETREGS, pid_, nullptr, &regs) != 0 ||
      ptrace(PTRACE_CONT, pid_, nullptr, nullptr) != 0) {
    return 0;
  }
  int status = 0;
  while (Wait(&status, timeout) && WIFSTOPPED(status)) {
    if (status >> 16 == PTRACE_EVENT_STOP) {
      ptrace(PTRACE_CONT, pid_, nullptr, nullptr);
      continue;
    }
    int signal = WSTOPSIG(status);
    ptrace(PTRACE_DETACH, pid_, nullptr, signal);
    attached_ = false;
    return signal;
  }
  return 0;
#else
  (void)number;
  (void)args;
  (void)timeout;
  return 0;
#endif
}

}  // namespace chat::test
