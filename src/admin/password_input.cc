// Reading the new password. Echo is turned off with termios (ECHONL kept,
// so Enter still moves to the next line) and turned back on before
// returning, also when a signal (Ctrl-C) ends the program meanwhile; Ctrl-Z
// is ignored while echo is off, since a stopped program would leave the
// shell's terminal without echo.
#include "admin/password_input.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

namespace chat::admin {
namespace {

// The settings to restore, for the signal handler.
termios saved_settings;
volatile sig_atomic_t echo_off = 0;

constexpr int kEndingSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void RestoreAndDie(int signal_number) {
  if (echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_settings);
  static const char kNewline = '\n';
  (void)!write(STDERR_FILENO, &kNewline, 1);
  ::signal(signal_number, SIG_DFL);
  raise(signal_number);
}

// Turns echo off on standard input (a terminal) for its lifetime.
class NoEcho {
 public:
  NoEcho() {
    if (tcgetattr(STDIN_FILENO, &saved_settings) != 0) return;
    struct sigaction action {};
    action.sa_handler = RestoreAndDie;
    sigemptyset(&action.sa_mask);
    for (int number : kEndingSignals) sigaction(number, &action, nullptr);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGTSTP, &ignore, &old_tstp_);
    termios quiet = saved_settings;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    echo_off = 1;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) echo_off = 0;
    active_ = true;
  }
  ~NoEcho() {
    if (!active_) return;
    if (echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_settings);
    echo_off = 0;
    sigaction(SIGTSTP, &old_tstp_, nullptr);
    for (int number : kEndingSignals) ::signal(number, SIG_DFL);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  bool active_ = false;
  struct sigaction old_tstp_ {};
};

enum class LineEnd { kNewline, kEof, kError };

// Reads bytes up to a newline (not kept) or the end of input, one read(2)
// at a time so that nothing past the line is taken and nothing of it sits
// in a stdio buffer we cannot wipe. A CR before the newline is dropped
// (a file written on another system).
LineEnd ReadLine(Secret* line) {
  bool cr = false;
  for (;;) {
    char byte;
    ssize_t got = read(STDIN_FILENO, &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return LineEnd::kError;
    if (got == 0) {
      if (cr) line->Add('\r');
      return LineEnd::kEof;
    }
    if (byte == '\n') return LineEnd::kNewline;
    if (cr) line->Add('\r');
    cr = byte == '\r';
    if (!cr) line->Add(byte);
  }
}

void Prompt(const char* text) {
  (void)!write(STDERR_FILENO, text, std::strlen(text));
}

}  // namespace

Secret::~Secret() { Clear(); }

void Secret::Add(char byte) {
  if (size_ < kCapacity) {
    bytes_[size_++] = byte;
  } else {
    overflowed_ = true;
  }
}

void Secret::Clear() {
  sodium_memzero(bytes_, sizeof bytes_);
  size_ = 0;
  overflowed_ = false;
}

bool ReadNewPassword(Secret* password, std::string* error) {
  if (!isatty(STDIN_FILENO)) {
    LineEnd end = ReadLine(password);
    if (end == LineEnd::kError) {
      *error = std::string("reading standard input: ") + std::strerror(errno);
      return false;
    }
    if (end == LineEnd::kEof && password->view().empty() &&
        !password->overflowed()) {
      *error = "no password on standard input";
      return false;
    }
    return true;
  }
  NoEcho no_echo;
  Secret again;
  Prompt("New password: ");
  LineEnd first = ReadLine(password);
  LineEnd second = LineEnd::kError;
  if (first == LineEnd::kNewline) {
    Prompt("Retype new password: ");
    second = ReadLine(&again);
  }
  if (first != LineEnd::kNewline || second != LineEnd::kNewline) {
    if (first == LineEnd::kEof || second == LineEnd::kEof) Prompt("\n");
    *error = "no password entered";
    return false;
  }
  if (password->view() != again.view() ||
      password->overflowed() != again.overflowed()) {
    *error = "the two passwords differ";
    return false;
  }
  return true;
}

}  // namespace chat::admin
