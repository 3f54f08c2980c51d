// Named points in the code where a debugger or a test's tracer (ptrace)
// can stop a real process at a chosen moment: a breakpoint on TracePoint,
// filtered by its `stage` argument. TracePoint does nothing and costs a
// call; nothing in the process can arm it, so an installed server holds no
// test hook that its users could set (a tracer needs the ptrace rights that
// already give it the process).
#ifndef CHAT_IPC_TRACE_POINT_H_
#define CHAT_IPC_TRACE_POINT_H_

namespace chat::ipc {

// Stages in use: "join:slot-written", "join:indexed" (the registry, with its
// mutex held), "room-join:queued" (a room JOIN's request frame is queued,
// not yet sent to the broker), "room-join:answered" (the broker made the
// worker a member; the answer is not yet written to the client).
void TracePoint(const char* stage);

}  // namespace chat::ipc

#endif  // CHAT_IPC_TRACE_POINT_H_
