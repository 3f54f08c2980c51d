// RecordingIo: the Session's I/O replaced by a recorder, for the session
// tests: which requests go out, what is shown, the prompt, how it ends.
#ifndef CHAT_TESTS_CLIENT_RECORDING_IO_H_
#define CHAT_TESTS_CLIENT_RECORDING_IO_H_

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "client/session.h"

namespace chat::client {

class RecordingIo : public SessionIo {
 public:
  void Send(std::string_view request) override { sent.emplace_back(request); }
  void Show(const std::vector<std::string>& lines) override {
    shown.insert(shown.end(), lines.begin(), lines.end());
  }
  void SetPrompt(std::string_view p) override { prompt = p; }
  void Finish(int code, std::string_view e) override {
    EXPECT_FALSE(exit_code.has_value()) << "Finish called twice";
    exit_code = code;
    error = e;
  }
  void SetSecretInput(bool on) override { secret = on; }

  std::vector<std::string> sent;
  std::vector<std::string> shown;
  std::string prompt;
  bool secret = false;  // the line being typed is hidden (a password)
  std::optional<int> exit_code;
  std::string error;
};

}  // namespace chat::client

#endif  // CHAT_TESTS_CLIENT_RECORDING_IO_H_
