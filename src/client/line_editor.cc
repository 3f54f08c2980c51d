// LineEditor: libedit (BSD licence) through its readline-compatible
// callback interface, on a uv_poll_t. libedit keeps the terminal raw only
// while a line is being edited; Install() starts each line.
#include "client/line_editor.h"

// clang-format off
#include <stdio.h>
#include <editline/readline.h>
// clang-format on
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cwchar>

#include "client/terminal.h"

namespace chat::client {
namespace {

// Columns `text` takes on the terminal (UTF-8; wide characters count two).
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  std::mbstate_t state{};
  while (!text.empty()) {
    wchar_t wc;
    const size_t n = std::mbrtowc(&wc, text.data(), text.size(), &state);
    if (n == 0 || n == static_cast<size_t>(-1) ||
        n == static_cast<size_t>(-2)) {
      ++width;
      text.remove_prefix(1);
      state = {};
      continue;
    }
    const int w = wcwidth(wc);
    width += w > 0 ? static_cast<size_t>(w) : 0;
    text.remove_prefix(n);
  }
  return width;
}

}  // namespace

LineEditor* LineEditor::current_ = nullptr;

LineEditor::LineEditor(uv_loop_t* loop, Events events)
    : loop_(loop), events_(std::move(events)) {}

LineEditor::~LineEditor() {
  Stop();
  if (current_ == this) current_ = nullptr;
}

void LineEditor::Start(std::string_view prompt) {
  current_ = this;
  prompt_ = prompt;
  // Signals are ours (libuv handles): libedit's own handlers would re-send
  // them to the whole process group.
  rl_catch_signals = 0;
  rl_catch_sigwinch = 0;
  rl_readline_name = "chat-client";
  rl_instream = stdin;
  rl_outstream = stdout;
  active_ = true;
  Install();
  // libedit's emacs map has Ctrl-W kill a marked region; readline users
  // expect it to erase the word before the cursor.
  rl_parse_and_bind("bind ^W ed-delete-prev-word");

  // uv_poll_init makes stdin non-blocking, and on a terminal stdin and
  // stdout share one open file: stdout writes would then fail with EAGAIN.
  // Only readiness is wanted from the poll, so blocking mode is put back
  // (libedit reads one key only after the poll said one is there).
  const int flags = fcntl(STDIN_FILENO, F_GETFL);
  uv_poll_init(loop_, &poll_, STDIN_FILENO);
  if (flags >= 0) fcntl(STDIN_FILENO, F_SETFL, flags);
  poll_.data = this;
  poll_open_ = true;
  uv_poll_start(&poll_, UV_READABLE | UV_DISCONNECT, OnPoll);
}

void LineEditor::Install() {
  rl_callback_handler_install(prompt_.c_str(), OnLine);
}

void LineEditor::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<LineEditor*>(handle->data);
  if (!self->active_) return;
  int available = 0;
  // A terminal that is readable with nothing to read has hung up; libedit
  // would report nothing and the poll would fire forever.
  const bool hung_up = status < 0 || (events & UV_DISCONNECT) != 0 ||
                       ioctl(STDIN_FILENO, FIONREAD, &available) != 0 ||
                       available == 0;
  if (hung_up) {
    self->Stop();
    self->events_.end();
    return;
  }
  rl_callback_read_char();
}

void LineEditor::OnLine(char* line) {
  LineEditor* self = current_;
  if (self == nullptr || !self->active_) {
    std::free(line);
    return;
  }
  if (line == nullptr) {  // Ctrl-D on an empty line
    self->Stop();
    self->events_.end();
    return;
  }
  std::string text(line);
  std::free(line);
  if (!text.empty()) add_history(text.c_str());
  // The next line is set up before the handler runs, so whatever the
  // handler prints lands above a prompt that is already there.
  self->Install();
  self->events_.line(std::move(text));
}

void LineEditor::ErasePromptAndLine() {
  const char* buffer = rl_line_buffer != nullptr ? rl_line_buffer : "";
  const size_t point = rl_point > 0 ? static_cast<size_t>(rl_point) : size_t{0};
  const size_t before_cursor =
      DisplayWidth(prompt_) +
      DisplayWidth(std::string_view(buffer).substr(0, point));
  const size_t columns = static_cast<size_t>(terminal::Columns(STDOUT_FILENO));
  const size_t row = before_cursor / columns;
  std::fputs("\r", stdout);
  if (row > 0) std::fprintf(stdout, "\x1b[%zuA", row);
  std::fputs("\x1b[J", stdout);
}

void LineEditor::Print(const std::vector<std::string>& lines) {
  if (active_) ErasePromptAndLine();
  for (const std::string& line : lines) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
  // libedit forgets what it drew and draws prompt, line and cursor anew.
  if (active_) rl_forced_update_display();
}

void LineEditor::SetPrompt(std::string_view prompt) {
  if (prompt == prompt_) return;
  if (active_) ErasePromptAndLine();
  prompt_ = prompt;
  if (!active_) return;
  rl_set_prompt(prompt_.c_str());
  std::fflush(stdout);
  rl_forced_update_display();
}

void LineEditor::Stop() {
  if (!active_) return;
  active_ = false;
  // An empty prompt line is erased; a line with text stays visible and
  // the cursor goes below it.
  if (rl_end == 0) {
    ErasePromptAndLine();
  } else {
    std::fputs("\n", stdout);
  }
  std::fflush(stdout);
  rl_callback_handler_remove();
  terminal::Restore();
  if (poll_open_) uv_poll_stop(&poll_);
}

void LineEditor::Close() {
  Stop();
  if (poll_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&poll_), nullptr);
    poll_open_ = false;
  }
}

void LineEditor::Resize() {
  if (active_) rl_resize_terminal();
}

void LineEditor::Suspend() {
  if (!active_) {
    raise(SIGSTOP);
    return;
  }
  const std::string typed(rl_line_buffer != nullptr ? rl_line_buffer : "",
                          rl_end > 0 ? static_cast<size_t>(rl_end) : 0);
  ErasePromptAndLine();
  std::fflush(stdout);
  rl_callback_handler_remove();
  terminal::Restore();
  raise(SIGSTOP);  // a signal sent to oneself is delivered before return
  Install();       // draws the prompt alone
  if (!typed.empty()) {
    rl_insert_text(typed.c_str());
    std::fputs("\r\x1b[J", stdout);  // and again with the line
    std::fflush(stdout);
    rl_forced_update_display();
  }
}

}  // namespace chat::client
