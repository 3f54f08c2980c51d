// Restartable sequences off in the spawner, so that its workers have none.
// glibc registers an rseq area inside each thread's descriptor, and the
// kernel writes its CPU number there every time the thread is scheduled.
// A worker inherits the registration, so the kernel's write gives every
// worker a private copy of that page of its thread descriptor: 4 KiB more
// per session whenever the area happens to sit on another page than the
// variables a worker writes anyway (errno), which depends on nothing but
// how many libraries the program loads. No worker needs rseq (glibc uses it
// for sched_getcpu only, which then asks the kernel).
#ifndef CHAT_SERVER_RSEQ_H_
#define CHAT_SERVER_RSEQ_H_

namespace chat::server {

// Unregisters the calling thread's rseq area, if glibc registered one.
void UnregisterRseq();

}  // namespace chat::server

#endif  // CHAT_SERVER_RSEQ_H_
