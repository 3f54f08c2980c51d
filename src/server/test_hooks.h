// Hooks that let the test suite stop a real worker at a chosen point, so
// that what the design promises under a crash can be proved end to end.
// Nothing here is active unless the test's environment variable is set.
#ifndef CHAT_SERVER_TEST_HOOKS_H_
#define CHAT_SERVER_TEST_HOOKS_H_

namespace chat::server {

// CHAT_SERVER_TEST_STOP_IN_JOIN=PATH: the first worker whose JOIN reaches
// the registry's "join:indexed" stage (and so holds the registry's mutex)
// creates PATH and stops itself with SIGSTOP, so that a test can SIGKILL it
// while it holds the lock. PATH is created with O_EXCL: later workers, which
// find it there, go on normally.
//
// CHAT_SERVER_TEST_STOP_IN_ROOM_JOIN=STAGE:PATH (PATH without a colon):
// likewise for the first
// worker that reaches STAGE of a JOIN of a room: "room-join:queued" (the
// request frame is queued, not yet sent to the broker) or
// "room-join:answered" (the broker has made it a member; the answer is not
// yet written to the client).
void InstallTestHooksFromEnvironment();

// Called by the session at those stages; does nothing unless armed.
void RunRoomJoinHook(const char* stage);

}  // namespace chat::server

#endif  // CHAT_SERVER_TEST_HOOKS_H_
