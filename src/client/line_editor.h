// LineEditor: interactive input on a terminal with libedit's readline
// interface driven by the libuv loop: a uv_poll_t on stdin reads the keys
// that arrived and hands them to rl_callback_read_char, so incoming lines
// can be printed while the user types. Print() puts them above the prompt
// and redraws the prompt and the partly typed line below them.
#ifndef CHAT_CLIENT_LINE_EDITOR_H_
#define CHAT_CLIENT_LINE_EDITOR_H_

#include <termios.h>
#include <uv.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat::client {

class LineEditor {
 public:
  struct Events {
    std::function<void(std::string line)> line;
    std::function<void()> end;  // Ctrl-D on an empty line, or hang-up
    // What Tab may turn `word` into; `line_start` when it begins the line.
    std::function<std::vector<std::string>(std::string_view word,
                                           bool line_start)>
        complete;
  };

  // libedit's readline interface is global state: one editor at a time.
  LineEditor(uv_loop_t* loop, Events events);
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;
  ~LineEditor();

  // Takes the terminal on stdin/stdout (raw mode) and shows `prompt`.
  void Start(std::string_view prompt);
  void SetPrompt(std::string_view prompt);
  // Writes `lines` above the prompt; plain writes once stopped.
  void Print(const std::vector<std::string>& lines);
  // Lines kept right above the prompt and redrawn in place (progress bars):
  // each must fit the terminal's width. Empty removes them.
  void SetStatus(std::vector<std::string> lines);
  // The same without drawing: the next Print draws them.
  void StageStatus(std::vector<std::string> lines) {
    status_ = std::move(lines);
  }
  // Gives the terminal back as it was and stops reading. Idempotent.
  void Stop();
  // Releases the handles (after Stop; the loop finishes the close).
  void Close();
  // SIGWINCH: the terminal changed size.
  void Resize();
  // SIGTSTP: give the terminal back, stop the process, and take the
  // terminal again (with the typed line) once continued.
  void Suspend();

  bool active() const { return active_; }

  // Hidden input for a password (line_editor_secret.cc): libedit steps
  // aside, the terminal reads a line with echo off, and the line goes to
  // events.line without entering the history. Off puts libedit back.
  void SetSecret(bool on);

 private:
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnEscapeTimeout(uv_timer_t* timer);
  static void OnLine(char* line);
  // libedit's source of characters (rl_getc_function): one character of
  // keys_, decoded from UTF-8.
  static int ReadKey(FILE* stream);
  static char** Complete(const char* word, int start, int end);

  // Hidden input: hands over each complete line in keys_, then wipes it.
  void FeedSecret();
  // Hidden input: the prompt alone on a cleared line.
  void DrawSecretPrompt();

  // Hands the keys that arrived to libedit, one command at a time.
  void FeedKeys();

  // Moves the cursor to the start of the status lines (or the prompt) and
  // erases from there on, so what is printed next replaces them.
  void ErasePromptAndLine();
  // Writes the status lines where the cursor is (the prompt goes after).
  void DrawStatus();
  // Gets libedit ready for the next line (it leaves the terminal cooked
  // after each one) and draws the prompt.
  void Install();

  static LineEditor* current_;

  uv_loop_t* loop_;
  Events events_;
  uv_poll_t poll_{};
  bool poll_open_ = false;
  // A lone Esc waits this long for the rest of a key sequence.
  uv_timer_t escape_timer_{};
  bool escape_timer_open_ = false;
  bool active_ = false;
  std::string prompt_;
  // Bytes read from the terminal that libedit has not taken yet.
  std::string keys_;
  bool secret_ = false;
  std::vector<std::string> status_;
  size_t status_rows_ = 0;   // status lines on the screen above the prompt
  termios before_secret_{};  // the terminal as libedit had it
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_LINE_EDITOR_H_
