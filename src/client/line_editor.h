// LineEditor: interactive input on a terminal with libedit's readline
// interface driven by the libuv loop: a uv_poll_t on stdin calls
// rl_callback_read_char for each key, so incoming lines can be printed
// while the user types. Print() puts them above the prompt and redraws the
// prompt and the partly typed line below them.
#ifndef CHAT_CLIENT_LINE_EDITOR_H_
#define CHAT_CLIENT_LINE_EDITOR_H_

#include <uv.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::client {

class LineEditor {
 public:
  struct Events {
    std::function<void(std::string line)> line;
    std::function<void()> end;  // Ctrl-D on an empty line, or hang-up
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
  // Gives the terminal back as it was and stops reading. Idempotent.
  void Stop();
  // Releases the poll handle (after Stop; the loop finishes the close).
  void Close();
  // SIGWINCH: the terminal changed size.
  void Resize();
  // SIGTSTP: give the terminal back, stop the process, and take the
  // terminal again (with the typed line) once continued.
  void Suspend();

  bool active() const { return active_; }

 private:
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnLine(char* line);

  // Moves the cursor to the start of the prompt and erases from there on,
  // so what is printed next replaces prompt and typed text.
  void ErasePromptAndLine();
  // Gets libedit ready for the next line (it leaves the terminal cooked
  // after each one) and draws the prompt.
  void Install();

  static LineEditor* current_;

  uv_loop_t* loop_;
  Events events_;
  uv_poll_t poll_{};
  bool poll_open_ = false;
  bool active_ = false;
  std::string prompt_;
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_LINE_EDITOR_H_
