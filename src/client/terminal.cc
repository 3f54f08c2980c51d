// The saved termios lives in globals because a signal handler must reach
// it; the handlers use only tcsetattr, sigaction and raise, all
// async-signal-safe.
#include "client/terminal.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cstdlib>

namespace chat::client::terminal {
namespace {

constexpr std::array<int, 8> kFatalSignals = {
    SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT, SIGTRAP, SIGSYS};

termios g_saved;
int g_fd = -1;
volatile sig_atomic_t g_have_saved = 0;
struct sigaction g_previous[kFatalSignals.size()];

void OnFatalSignal(int signal) {
  Restore();
  // Hand the signal to whoever had it before (the default action, or a
  // sanitizer's reporter): restore that disposition and raise it again; it
  // is delivered as soon as this handler returns.
  for (size_t i = 0; i < kFatalSignals.size(); ++i) {
    if (kFatalSignals[i] == signal) sigaction(signal, &g_previous[i], nullptr);
  }
  raise(signal);
}

}  // namespace

void SaveAndGuard(int fd) {
  if (g_have_saved || tcgetattr(fd, &g_saved) != 0) return;
  g_fd = fd;
  g_have_saved = 1;
  std::atexit(Restore);
  for (size_t i = 0; i < kFatalSignals.size(); ++i) {
    struct sigaction action {};
    action.sa_handler = OnFatalSignal;
    sigemptyset(&action.sa_mask);
    sigaction(kFatalSignals[i], &action, &g_previous[i]);
  }
}

void Restore() {
  if (g_have_saved) tcsetattr(g_fd, TCSADRAIN, &g_saved);
}

int Columns(int fd) {
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 80;
}

}  // namespace chat::client::terminal
