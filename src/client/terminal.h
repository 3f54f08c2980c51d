// Terminal settings saved before the line editor changes them and put back
// on every way out: a normal exit, exit() from anywhere, and the signals
// that would otherwise kill the process with the terminal left raw.
#ifndef CHAT_CLIENT_TERMINAL_H_
#define CHAT_CLIENT_TERMINAL_H_

namespace chat::client::terminal {

// Records the settings of terminal `fd` (no-op if it is not one) and
// installs the restoring handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL,
// SIGABRT, SIGQUIT, SIGTRAP and SIGSYS, which then re-raise the signal with
// its previous disposition. Call once, before the terminal is changed.
void SaveAndGuard(int fd);

// Puts the saved settings back (async-signal-safe; idempotent).
void Restore();

// The width of the terminal on `fd` in columns; 80 when unknown.
int Columns(int fd);

}  // namespace chat::client::terminal

#endif  // CHAT_CLIENT_TERMINAL_H_
