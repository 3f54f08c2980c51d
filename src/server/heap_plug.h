// Filling the spawner's heap holes, so that its workers allocate on fresh
// pages. Every worker is a copy of the spawner, whose heap is the broker's:
// pages of options, certificates and start-up tables, freed in places. A
// worker's first allocations would be carved out of those holes, one here,
// one there, and each write copies a whole 4 KiB page that the worker then
// owns alone: measured, about 24 KiB more per session once the program
// loaded GnuTLS and SQLite and parsed twice the options. With the holes
// taken once in the spawner, a worker's allocations come one after another
// from the top of the heap, on as few pages as they need.
#ifndef CHAT_SERVER_HEAP_PLUG_H_
#define CHAT_SERVER_HEAP_PLUG_H_

namespace chat::server {

// Takes (and never gives back) every free chunk of the heap below its top,
// as far as a bounded number of allocations can; does nothing where malloc
// is not glibc's (the sanitizers bring their own).
void PlugHeapHoles();

}  // namespace chat::server

#endif  // CHAT_SERVER_HEAP_PLUG_H_
