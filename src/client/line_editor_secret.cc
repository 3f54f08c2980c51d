// LineEditor's hidden input for passwords. libedit has no no-echo mode, so
// while a password is typed it is set aside: the terminal goes back to
// canonical mode with ECHO off (the kernel's line discipline edits the
// line, as for sudo or ssh), the same uv_poll_t reports when a whole line
// is there, and nothing blocks the loop. The line never reaches libedit's
// history, and the buffer that held it is wiped.
#include <string.h>
#include <unistd.h>

// clang-format off
#include <stdio.h>
#include <editline/readline.h>
// clang-format on

#include "client/line_editor.h"

namespace chat::client {

void LineEditor::SetSecret(bool on) {
  if (on == secret_ || !active_) return;
  if (on) {
    ErasePromptAndLine();
    std::fflush(stdout);
    rl_callback_handler_remove();
    keys_.clear();  // keys typed ahead belong to the chat line, not here
    tcgetattr(STDIN_FILENO, &before_secret_);
    termios hidden = before_secret_;
    hidden.c_lflag |= ICANON | ISIG | IEXTEN;
    hidden.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
    hidden.c_iflag |= ICRNL;
    tcsetattr(STDIN_FILENO, TCSANOW, &hidden);
    secret_ = true;
    DrawSecretPrompt();
    return;
  }
  secret_ = false;
  if (!keys_.empty()) explicit_bzero(keys_.data(), keys_.size());
  keys_.clear();
  tcsetattr(STDIN_FILENO, TCSANOW, &before_secret_);
  std::fputs("\r\x1b[J", stdout);
  std::fflush(stdout);
  Install();
}

void LineEditor::DrawSecretPrompt() {
  std::fputs("\r\x1b[J", stdout);
  std::fwrite(prompt_.data(), 1, prompt_.size(), stdout);
  std::fflush(stdout);
}

void LineEditor::FeedSecret() {
  size_t end;
  while (secret_ && active_ && (end = keys_.find('\n')) != std::string::npos) {
    std::string line = keys_.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    explicit_bzero(keys_.data(), end + 1);
    keys_.erase(0, end + 1);
    std::fputs("\n", stdout);  // the Enter that was not echoed
    std::fflush(stdout);
    // The session takes (and wipes) the line; it may leave hidden input.
    events_.line(std::move(line));
  }
}

}  // namespace chat::client
