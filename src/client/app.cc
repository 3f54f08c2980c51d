// App: wiring and lifetime. Everything runs on the loop thread; Finish()
// closes every handle so that uv_run returns and Run() can report the exit
// status.
#include "client/app.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "client/completion.h"
#include "client/exit_code.h"
#include "client/known_servers.h"
#include "client/password_file.h"
#include "client/terminal.h"

namespace chat::client {
namespace {

// Flow control for scripted input: stop reading standard input while this
// many typed lines wait (a JOIN is out) or this many bytes wait for the
// socket; a script of any size then runs in bounded memory.
constexpr size_t kMaxBacklogLines = 1024;
constexpr size_t kMaxQueuedBytes = 1 << 20;
// How long to wait for OK QUIT after the last sign of life from the server.
constexpr uint64_t kQuitTimeoutMs = 5000;
// How often progress bars are redrawn.
constexpr uint64_t kProgressMs = 250;

std::string ServerLabel(const Options& options) {
  const bool ipv6 = options.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + options.host + "]" : options.host) + ":" +
         std::to_string(options.port);
}

// Whether `host` names this machine: a password sent there never crosses a
// network. Judged from the name as given (the address it resolves to is
// not known yet when the warning is due); any other name gets the warning.
bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.") ||
         host.ends_with(".localhost");
}

bool IsInteractive() { return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO); }

Session::Settings MakeSettings(const Options& options, bool interactive) {
  Session::Settings settings;
  settings.user = options.user;
  settings.interactive = interactive;
  settings.server = ServerLabel(options);
  settings.login = options.login;
  settings.register_account = options.register_account;
  // TLS keeps the password off the wire; so does staying on this host.
  settings.password_exposed = !options.tls && !IsLoopbackHost(options.host);
  return settings;
}

}  // namespace

bool WantColor(bool interactive, bool no_color_option) {
  if (!interactive || no_color_option) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

App::App(uv_loop_t* loop, const Options& options)
    : loop_(loop),
      options_(options),
      interactive_(IsInteractive()),
      renderer_(WantColor(interactive_, options.no_color)),
      session_(MakeSettings(options, interactive_), renderer_, *this),
      connection_(
          loop,
          {
              .connected =
                  [this] {
                    session_.OnConnected();
                    UpdateFlow();
                  },
              .line =
                  [this](std::string_view line) {
                    if (quit_timer_running_) RestartQuitTimer();
                    session_.OnServerLine(line);
                    UpdateFlow();
                  },
              .line_too_long = [this] { session_.OnServerLineTooLong(); },
              .connect_failed =
                  [this](std::string error) {
                    Finish(kExitCannotConnect, error);
                  },
              .closed =
                  [this](std::string error) { session_.OnServerClosed(error); },
              .written = [this] { UpdateFlow(); },
          }),
      files_(loop, options.download_dir, renderer_,
             {
                 .request =
                     [this](const std::string& request) {
                       return session_.SendFileRequest(request);
                     },
                 .send =
                     [this](std::string_view line) {
                       session_.SendUnanswered(line);
                     },
                 .show =
                     [this](const std::vector<std::string>& lines) {
                       Show(lines);
                     },
                 .changed = [this] { OnFilesChanged(); },
             }) {
  session_.SetFileHandler(&files_);
}

App::~App() = default;

int App::Run() {
  if (!options_.password_file.empty()) {
    PasswordFile file = ReadPasswordFile(options_.password_file);
    if (!file.error.empty()) {
      std::fprintf(stderr, "%s: %s\n", options_.program.c_str(),
                   file.error.c_str());
      return kExitUsage;
    }
    if (!file.warning.empty()) {
      std::fprintf(stderr, "%s: warning: %s\n", options_.program.c_str(),
                   file.warning.c_str());
    }
    session_.SetFilePassword(std::move(file.password));
  }
  StartSignals();
  uv_timer_init(loop_, &quit_timer_);
  quit_timer_.data = this;
  uv_timer_init(loop_, &progress_timer_);
  progress_timer_.data = this;
  StartInput();
  if (options_.tls) {
    connection_.EnableTls(
        [this](const transport::TlsClient& tls) -> std::optional<std::string> {
          PeerCertificate peer{options_.host, options_.port,
                               tls.PeerFingerprint(), false};
          std::string why;
          peer.system_trusted = tls.SystemTrusted(&why);
          TrustDecision decision =
              DecideTrust(peer, options_.fingerprint, KnownServersPath());
          if (!decision.accepted) return decision.message;
          if (!decision.message.empty()) {
            std::fprintf(stderr, "chat-client: %s\n", decision.message.c_str());
          }
          return std::nullopt;
        });
  }
  connection_.Connect(options_.host, options_.port);
  uv_run(loop_, UV_RUN_DEFAULT);
  return exit_code_;
}

void App::StartInput() {
  if (interactive_) {
    terminal::SaveAndGuard(STDIN_FILENO);
    editor_ = std::make_unique<LineEditor>(
        loop_, LineEditor::Events{
                   .line =
                       [this](std::string line) {
                         session_.OnInputLine(std::move(line));
                         UpdateFlow();
                       },
                   .end =
                       [this] {
                         session_.OnInputEnd();
                         UpdateFlow();
                       },
                   .complete =
                       [this](std::string_view word, bool line_start) {
                         return Completions(word, line_start,
                                            session_.known_names());
                       },
               });
    editor_->Start("");
    return;
  }
  input_ = LineInput::ForFd(loop_, STDIN_FILENO,
                            {
                                .line =
                                    [this](std::string line) {
                                      session_.OnInputLine(std::move(line));
                                      UpdateFlow();
                                    },
                                .too_long =
                                    [this] {
                                      session_.OnInputTooLong();
                                      UpdateFlow();
                                    },
                                .end =
                                    [this] {
                                      session_.OnInputEnd();
                                      UpdateFlow();
                                    },
                            });
  input_->Start();
}

void App::StartSignals() {
  std::vector<int> wanted = {SIGINT, SIGTERM, SIGHUP};
  if (interactive_) {
    wanted.push_back(SIGWINCH);
    wanted.push_back(SIGTSTP);
  }
  for (int signal : wanted) {
    auto handle = std::make_unique<uv_signal_t>();
    uv_signal_init(loop_, handle.get());
    handle->data = this;
    uv_signal_start(handle.get(), OnSignal, signal);
    signals_.push_back(std::move(handle));
  }
}

void App::OnSignal(uv_signal_t* handle, int signal) {
  auto* self = static_cast<App*>(handle->data);
  if (self->finished_) return;
  switch (signal) {
    case SIGWINCH:
      if (self->editor_) self->editor_->Resize();
      return;
    case SIGTSTP:
      if (self->editor_) self->editor_->Suspend();
      return;
    default:  // SIGINT, SIGTERM, SIGHUP: leave politely
      self->session_.OnInterrupt();
      self->UpdateFlow();
      return;
  }
}

void App::UpdateFlow() {
  if (finished_) return;
  if (session_.quitting()) {
    if (editor_) editor_->Stop();
    if (input_) input_->Stop();
    if (!quit_timer_running_) RestartQuitTimer();
    return;
  }
  if (!input_) return;
  const bool pause = session_.backlog() >= kMaxBacklogLines ||
                     connection_.queued_bytes() >= kMaxQueuedBytes;
  if (pause != input_paused_) {
    input_paused_ = pause;
    if (pause) {
      input_->Pause();
    } else {
      input_->Resume();
    }
  }
}

void App::RestartQuitTimer() {
  quit_timer_running_ = true;
  uv_timer_start(&quit_timer_, OnQuitTimer, kQuitTimeoutMs, 0);
}

void App::OnQuitTimer(uv_timer_t* timer) {
  auto* self = static_cast<App*>(timer->data);
  self->session_.OnQuitTimeout();
}

void App::OnFilesChanged() {
  session_.OnFilesChanged();
  UpdateFlow();
  if (finished_ || !editor_ || progress_timer_running_) return;
  progress_timer_running_ = true;
  uv_timer_start(&progress_timer_, OnProgressTimer, 0, kProgressMs);
}

std::vector<std::string> App::ProgressLines() const {
  // One column short of the width: a line that fills the last column makes
  // some terminals wrap, and the bars would scroll instead of redrawing.
  const int columns = terminal::Columns(STDOUT_FILENO);
  return files_.ProgressLines(columns > 1 ? static_cast<size_t>(columns - 1)
                                          : 79);
}

void App::OnProgressTimer(uv_timer_t* timer) {
  auto* self = static_cast<App*>(timer->data);
  if (self->finished_ || !self->editor_) return;
  std::vector<std::string> lines = self->ProgressLines();
  if (lines.empty()) {
    uv_timer_stop(&self->progress_timer_);
    self->progress_timer_running_ = false;
  }
  self->editor_->SetStatus(std::move(lines));
}

void App::Send(std::string_view request) { connection_.Send(request); }

void App::Show(const std::vector<std::string>& lines) {
  if (editor_) {
    // Progress bars drawn below these lines are current ones: a transfer
    // that just ended loses its bar with the line that says so.
    if (progress_timer_running_) editor_->StageStatus(ProgressLines());
    editor_->Print(lines);
    return;
  }
  for (const std::string& line : lines) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
}

void App::SetSecretInput(bool on) {
  if (editor_) editor_->SetSecret(on);
}

void App::SetPrompt(std::string_view prompt) {
  if (editor_) editor_->SetPrompt(prompt);
}

void App::Finish(int exit_code, std::string_view error) {
  if (finished_) return;
  finished_ = true;
  exit_code_ = exit_code;
  files_.Close();
  if (editor_) {
    editor_->SetStatus({});
    editor_->Close();  // the terminal is itself again
  }
  if (input_) input_->Close();
  std::fflush(stdout);
  if (!error.empty()) {
    std::fprintf(stderr, "%s: %.*s\n", options_.program.c_str(),
                 static_cast<int>(error.size()), error.data());
  }
  connection_.Close();
  for (auto& handle : signals_) {
    uv_close(reinterpret_cast<uv_handle_t*>(handle.get()), nullptr);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&quit_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&progress_timer_), nullptr);
}

}  // namespace chat::client
