// Tracer: a test's ptrace(2) hold on one real server process, so that a test
// can stop a worker at an exact point of its code (ipc/trace_point.h) or make
// it issue a system call, with no hook in the server that its users could
// set. x86-64 only (registers and instruction bytes); elsewhere Attach says
// so and the tests skip.
//
// Every request comes from the thread that attached (ptrace's rule). A
// tracee killed while traced is handed back to its parent (the broker) only
// once the tracer has waited for it: use Kill(), not kill(2).
#ifndef CHAT_TESTS_SUPPORT_TRACER_H_
#define CHAT_TESTS_SUPPORT_TRACER_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace chat::test {

class Tracer {
 public:
  // PTRACE_SEIZE on `pid`; nullptr with *error set if that is not possible
  // (not x86-64, or the kernel refuses).
  static std::unique_ptr<Tracer> Attach(pid_t pid, std::string* error);

  // Detaches if the process is still traced and alive.
  ~Tracer();

  // Stops the process, plants a breakpoint on chat::ipc::TracePoint, calls
  // `meanwhile` (what makes the process get there: sending it a line), and
  // lets it run until it calls TracePoint(stage); leaves it stopped there
  // (calls with other stages go on). False on timeout or if it ended.
  bool RunToTracePoint(const std::string& stage,
                       std::chrono::milliseconds timeout,
                       const std::function<void()>& meanwhile);

  // Lets a process left stopped by RunToTracePoint run on untraced, from
  // where it stopped. False if it was not attached.
  bool Release();

  // SIGKILL, then waits for the death so the broker can reap it.
  bool Kill(std::chrono::milliseconds timeout);

  // Stops the process wherever it is (normally asleep in poll), makes it
  // execute system call `number` with `args`, and reports the signal the
  // call raised (0 if none before it went on or ended). A raised signal is
  // passed on and the process detached, so its handler runs untraced.
  int InjectSystemCall(long number, const uint64_t (&args)[6],
                       std::chrono::milliseconds timeout);

  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

 private:
  explicit Tracer(pid_t pid) : pid_(pid) {}
  // The next stop or end; false on timeout. *status as waitpid's.
  bool Wait(int* status, std::chrono::milliseconds timeout);
  bool Interrupt(std::chrono::milliseconds timeout);
  // Where chat::ipc::TracePoint lies in the process; 0 if not found.
  uintptr_t TracePointAddress();

  pid_t pid_;
  bool attached_ = true;
};

}  // namespace chat::test

#endif  // CHAT_TESTS_SUPPORT_TRACER_H_
