// LineEditor: libedit (BSD licence) through its readline-compatible
// callback interface, on a uv_poll_t. libedit keeps the terminal raw only
// while a line is being edited; Install() starts each line.
//
// libedit reads a whole key sequence, and some commands read further keys,
// inside one rl_callback_read_char call, blocking the loop until the keys
// come. The editor therefore reads the terminal itself and gives libedit
// only complete characters that have arrived (ReadKey), holds a lone Esc
// back until the rest of its sequence comes (or drops it), and binds the
// keys whose commands read a prompt of their own to commands that do not.
#include "client/line_editor.h"

// clang-format off
#include <stdio.h>
#include <editline/readline.h>
// clang-format on
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cwchar>

#include "client/terminal.h"

namespace chat::client {
namespace {

// Terminals send a key's whole sequence (Esc [ A for Up) in one write; an
// Esc with nothing after it for this long was the Esc key alone.
constexpr uint64_t kEscapeTimeoutMs = 100;

// rl_callback_read_char calls in a row that may take no key (see FeedKeys).
constexpr int kMaxIdleCalls = 64;

// Key bindings on top of libedit's emacs map. Ctrl-W: readline users expect
// it to erase the word before the cursor (libedit's kills a marked region).
// The rest replace commands that would read keys of their own, and so block
// the loop, with ones that do not: Ctrl-R/Ctrl-S recall history lines
// starting like the typed text instead of an incremental search, and
// Ctrl-V (quoted insert: no control character can be sent anyway) and
// M-x (an editor command line) do nothing.
constexpr const char* kBindings[] = {
    "bind ^W ed-delete-prev-word",    "bind ^R ed-search-prev-history",
    "bind ^S ed-search-next-history", "bind ^V ed-unassigned",
    "bind ^[x ed-unassigned",         "bind ^[X ed-unassigned",
};

// Length of the UTF-8 character at the start of `bytes`: 0 when more bytes
// are needed to tell, static_cast<size_t>(-1) when the first byte starts
// no valid character.
size_t CharacterLength(std::string_view bytes, wchar_t* wc) {
  std::mbstate_t state{};
  const size_t n = std::mbrtowc(wc, bytes.data(), bytes.size(), &state);
  if (n == static_cast<size_t>(-2)) return 0;
  if (n == 0) return 1;  // NUL (Ctrl-Space)
  return n;
}

// Reads what the terminal has (blocking when it has nothing yet); false at
// its end or on an error.
bool ReadTerminal(std::string* into) {
  int available = 0;
  if (ioctl(STDIN_FILENO, FIONREAD, &available) != 0 || available <= 0) {
    available = 1;
  }
  char buffer[4096];
  const size_t want = std::min(sizeof buffer, static_cast<size_t>(available));
  ssize_t n;
  do {
    n = read(STDIN_FILENO, buffer, want);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  into->append(buffer, static_cast<size_t>(n));
  return true;
}

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
  // libedit keeps the lines typed for Up/Down; they go with the editor.
  clear_history();
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
  // Read before the first Install(): libedit takes its source of
  // characters when it initialises.
  rl_getc_function = ReadKey;
  // Tab completes names, never file names (libedit's default).
  rl_attempted_completion_function = Complete;
  active_ = true;
  Install();
  for (const char* binding : kBindings) rl_parse_and_bind(binding);

  uv_timer_init(loop_, &escape_timer_);
  escape_timer_.data = this;
  escape_timer_open_ = true;

  // uv_poll_init makes stdin non-blocking, and on a terminal stdin and
  // stdout share one open file: stdout writes would then fail with EAGAIN.
  // Only readiness is wanted from the poll, so blocking mode is put back
  // (the editor reads only as many bytes as the terminal says it holds).
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
  // A terminal that is readable with nothing to read has hung up; waiting
  // for more would fire the poll forever.
  const bool hung_up = status < 0 || (events & UV_DISCONNECT) != 0 ||
                       ioctl(STDIN_FILENO, FIONREAD, &available) != 0 ||
                       available == 0 || !ReadTerminal(&self->keys_);
  if (hung_up) {
    self->Stop();
    self->events_.end();
    return;
  }
  if (self->secret_) {
    self->FeedSecret();
    return;
  }
  self->FeedKeys();
}

void LineEditor::FeedKeys() {
  uv_timer_stop(&escape_timer_);
  // Each call takes one command's keys; a handler may stop the editor. A
  // call may also take none: a key bound to a string (editrc's bind -s)
  // runs from libedit's own buffer, and a terminal that went away fails
  // before any read; a bound on such calls keeps that from spinning.
  int idle_calls = 0;
  while (active_ && !keys_.empty() && idle_calls < kMaxIdleCalls) {
    if (keys_ == "\x1b") {
      uv_timer_start(&escape_timer_, OnEscapeTimeout, kEscapeTimeoutMs, 0);
      return;
    }
    wchar_t wc;
    const size_t n = CharacterLength(keys_, &wc);
    if (n == 0) return;  // the rest of the character is on its way
    if (n == static_cast<size_t>(-1)) {
      keys_.erase(0, 1);  // not UTF-8: skipped, as the server would refuse it
      continue;
    }
    const size_t before = keys_.size();
    rl_callback_read_char();
    idle_calls = keys_.size() < before ? 0 : idle_calls + 1;
  }
}

void LineEditor::OnEscapeTimeout(uv_timer_t* timer) {
  auto* self = static_cast<LineEditor*>(timer->data);
  // Esc alone means nothing in this editor; passed on, it would make
  // libedit wait for the key it prefixes.
  if (self->keys_ == "\x1b") self->keys_.clear();
}

int LineEditor::ReadKey(FILE*) {
  LineEditor* self = current_;
  if (self == nullptr) return -1;
  std::string& keys = self->keys_;
  for (;;) {
    wchar_t wc;
    const size_t n = keys.empty() ? 0 : CharacterLength(keys, &wc);
    if (n == static_cast<size_t>(-1)) {
      keys.erase(0, 1);  // not UTF-8: skipped, as the server would refuse it
      continue;
    }
    if (n > 0) {
      keys.erase(0, n);
      return static_cast<int>(wc);
    }
    // Only inside a sequence that arrived in pieces: the rest follows at
    // once. -1 is the end of input to libedit (a hung-up terminal).
    if (!ReadTerminal(&keys)) return -1;
  }
}

char** LineEditor::Complete(const char* word, int start, int) {
  // Set on every call: libedit resets it, and without it an empty answer
  // falls back to completing file names.
  rl_attempted_completion_over = 1;
  LineEditor* self = current_;
  if (self == nullptr || !self->events_.complete) return nullptr;
  const std::vector<std::string> matches =
      self->events_.complete(word, start == 0);
  if (matches.empty()) return nullptr;
  // A lone match is followed by a space, but for the private form
  // "Carol:" (completion.h), where a space would make the line a broadcast.
  rl_completion_append_character =
      matches.size() == 1 && matches.front().back() == ':' ? '\0' : ' ';
  // libedit's format: the text to put in place of `word` (the matches'
  // common beginning, in the first match's spelling), then each match,
  // then NULL; all malloc'd, and freed by libedit.
  size_t common = matches.front().size();
  for (const std::string& match : matches) {
    size_t i = 0;
    while (i < common && i < match.size() &&
           std::tolower(static_cast<unsigned char>(match[i])) ==
               std::tolower(static_cast<unsigned char>(matches.front()[i]))) {
      ++i;
    }
    common = i;
  }
  auto** result =
      static_cast<char**>(std::malloc((matches.size() + 2) * sizeof(char*)));
  if (result == nullptr) return nullptr;
  result[0] = strndup(matches.front().c_str(), common);
  for (size_t i = 0; i < matches.size(); ++i) {
    result[i + 1] = strdup(matches[i].c_str());
  }
  result[matches.size() + 1] = nullptr;
  // One match: libedit wants it alone, as the replacement.
  if (matches.size() == 1) {
    std::free(result[1]);
    result[1] = nullptr;
  }
  return result;
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
  if (self->status_rows_ > 0) {
    // The status lines stay right above the prompt: the line just entered
    // (and libedit's newline after it) is written again above them.
    const size_t columns =
        static_cast<size_t>(terminal::Columns(STDOUT_FILENO));
    const size_t rows =
        (DisplayWidth(self->prompt_) + DisplayWidth(text)) / columns + 1;
    std::fprintf(stdout, "\r\x1b[%zuA\x1b[J", rows + self->status_rows_);
    std::fputs(self->prompt_.c_str(), stdout);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    self->DrawStatus();
    std::fflush(stdout);
  }
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
  const size_t up = row + status_rows_;
  status_rows_ = 0;
  std::fputs("\r", stdout);
  if (up > 0) std::fprintf(stdout, "\x1b[%zuA", up);
  std::fputs("\x1b[J", stdout);
}

void LineEditor::DrawStatus() {
  for (const std::string& line : status_) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  status_rows_ = status_.size();
}

void LineEditor::SetStatus(std::vector<std::string> lines) {
  if (lines == status_) return;
  if (!active_ || secret_) {
    status_ = std::move(lines);
    return;
  }
  ErasePromptAndLine();
  status_ = std::move(lines);
  DrawStatus();
  std::fflush(stdout);
  rl_forced_update_display();
}

void LineEditor::Print(const std::vector<std::string>& lines) {
  if (active_ && secret_) {
    std::fputs("\r\x1b[J", stdout);
    for (const std::string& line : lines) {
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
    }
    DrawSecretPrompt();
    return;
  }
  if (active_) ErasePromptAndLine();
  for (const std::string& line : lines) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  if (active_) DrawStatus();
  std::fflush(stdout);
  // libedit forgets what it drew and draws prompt, line and cursor anew.
  if (active_) rl_forced_update_display();
}

void LineEditor::SetPrompt(std::string_view prompt) {
  if (active_ && secret_) {
    prompt_ = prompt;
    DrawSecretPrompt();
    return;
  }
  if (prompt == prompt_) return;
  if (active_) ErasePromptAndLine();
  prompt_ = prompt;
  if (!active_) return;
  rl_set_prompt(prompt_.c_str());
  DrawStatus();
  std::fflush(stdout);
  rl_forced_update_display();
}

void LineEditor::Stop() {
  if (!active_) return;
  if (secret_) {  // the terminal as libedit had it; Restore() does the rest
    secret_ = false;
    tcsetattr(STDIN_FILENO, TCSANOW, &before_secret_);
  }
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
  if (escape_timer_open_) uv_timer_stop(&escape_timer_);
  keys_.clear();
}

void LineEditor::Close() {
  Stop();
  if (poll_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&poll_), nullptr);
    poll_open_ = false;
  }
  if (escape_timer_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&escape_timer_), nullptr);
    escape_timer_open_ = false;
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
  DrawStatus();
  Install();  // draws the prompt alone
  if (!typed.empty()) {
    rl_insert_text(typed.c_str());
    std::fputs("\r\x1b[J", stdout);  // and again with the line
    std::fflush(stdout);
    rl_forced_update_display();
  }
}

}  // namespace chat::client
