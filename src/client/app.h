// App: the client program on one libuv loop. It owns the handles (server
// connection, standard input, signals, a timer), picks the input mode, and
// connects the handles' events to the Session, whose requests it carries
// out.
#ifndef CHAT_CLIENT_APP_H_
#define CHAT_CLIENT_APP_H_

#include <uv.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/connection.h"
#include "client/file_transfers.h"
#include "client/input.h"
#include "client/line_editor.h"
#include "client/options.h"
#include "client/renderer.h"
#include "client/session.h"

namespace chat::client {

class App : private SessionIo {
 public:
  App(uv_loop_t* loop, const Options& options);
  App(const App&) = delete;
  App& operator=(const App&) = delete;
  ~App() override;

  // Runs the loop until the session is over; returns the exit status.
  int Run();

 private:
  // SessionIo
  void Send(std::string_view request) override;
  void Show(const std::vector<std::string>& lines) override;
  void SetPrompt(std::string_view prompt) override;
  void Finish(int exit_code, std::string_view error) override;
  void SetSecretInput(bool on) override;

  void StartInput();
  void StartSignals();
  // After each event: stop reading input once QUIT is out, and pause it
  // while typed lines or unsent bytes pile up.
  void UpdateFlow();
  void RestartQuitTimer();
  // Progress bars: redrawn a few times a second while data moves, on a
  // terminal only.
  void OnFilesChanged();
  std::vector<std::string> ProgressLines() const;
  static void OnProgressTimer(uv_timer_t* timer);

  static void OnSignal(uv_signal_t* handle, int signal);
  static void OnQuitTimer(uv_timer_t* timer);

  uv_loop_t* loop_;
  Options options_;
  bool interactive_;
  Renderer renderer_;
  Session session_;
  ServerConnection connection_;
  FileTransfers files_;
  uv_timer_t progress_timer_{};
  bool progress_timer_running_ = false;
  std::unique_ptr<LineEditor> editor_;
  std::unique_ptr<LineInput> input_;
  std::vector<std::unique_ptr<uv_signal_t>> signals_;
  uv_timer_t quit_timer_{};
  bool quit_timer_running_ = false;
  bool input_paused_ = false;
  bool finished_ = false;
  int exit_code_ = 0;
};

// Whether output may be coloured: an interactive terminal, no --no-color,
// no (non-empty) NO_COLOR, and a TERM that is not "dumb".
bool WantColor(bool interactive, bool no_color_option);

}  // namespace chat::client

#endif  // CHAT_CLIENT_APP_H_
