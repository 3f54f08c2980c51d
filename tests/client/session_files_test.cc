// Session and file transfer: the file commands and FILE lines reach the
// file handler, its requests keep their place among the answers, DATA and
// ACK wait for none, and a script's end of input waits for its transfers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/session.h"
#include "recording_io.h"

namespace chat::client {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class RecordingFiles : public FileHandler {
 public:
  void OnCommand(const Command& command) override {
    commands.push_back(command.action);
  }
  void OnPush(std::string_view line) override { pushes.emplace_back(line); }
  bool OnAnswer(std::string_view subverb, std::string_view argument, bool ok,
                std::string_view phrase, std::string_view) override {
    answers.push_back(std::string(subverb) + " " + std::string(argument) +
                      (ok ? " ok" : " " + std::string(phrase)));
    return true;
  }
  bool busy() const override { return is_busy; }

  std::vector<Action> commands;
  std::vector<std::string> pushes;
  std::vector<std::string> answers;
  bool is_busy = false;
};

class SessionFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { Start("Alice", false); }
  // A session with the recording file handler, joined as `user` if any.
  void Start(std::optional<std::string> user, bool interactive) {
    Session::Settings settings;
    settings.user = user;
    settings.interactive = interactive;
    settings.server = "localhost:8001";
    io_ = RecordingIo();
    session_.emplace(settings, renderer_, io_);
    session_->SetFileHandler(&files_);
    session_->OnConnected();
    if (user) session_->OnServerLine("OK JOIN " + *user);
    io_.sent.clear();
  }
  Session& s() { return *session_; }

  Renderer renderer_{false};
  RecordingIo io_;
  RecordingFiles files_;
  std::optional<Session> session_;
};

TEST_F(SessionFilesTest, FileCommandsAndPushesGoToTheHandler) {
  s().OnInputLine("/send Bob /tmp/a b.txt");
  s().OnInputLine("/files");
  s().OnInputLine("/get 7");
  EXPECT_THAT(files_.commands,
              ElementsAre(Action::kSendFile, Action::kFiles, Action::kGetFile));
  EXPECT_THAT(io_.sent, IsEmpty());
  s().OnServerLine("FILE OFFER Bob 7 10 " + std::string(64, 'a') + " x.bin");
  s().OnServerLine("FILE ABORT 7 Sender Left");
  EXPECT_THAT(files_.pushes, ElementsAre(HasSubstr("FILE OFFER Bob 7"),
                                         "FILE ABORT 7 Sender Left"));
}

TEST_F(SessionFilesTest, AnswersFollowRequestOrderAndDataWaitsForNone) {
  ASSERT_TRUE(s().SendFileRequest("FILE ACCEPT 7"));
  s().SendUnanswered("FILE ACK 7 3000");
  s().OnInputLine("Bob:hi");
  EXPECT_THAT(io_.sent,
              ElementsAre("FILE ACCEPT 7", "FILE ACK 7 3000", "MESG Bob hi"));
  s().OnServerLine("OK FILE ACCEPT 7");
  s().OnServerLine("OK MESG Bob");
  EXPECT_THAT(files_.answers, ElementsAre("ACCEPT 7 ok"));
  EXPECT_THAT(io_.shown, Contains("[private] to Bob: hi"));
}

TEST_F(SessionFilesTest, UnknownTransferForDataIsNotTakenForAnotherAnswer) {
  s().OnInputLine("Bob:hi");
  s().OnServerLine("ERR Unknown Transfer: 9");  // a stray DATA's answer
  s().OnServerLine("OK MESG Bob");
  EXPECT_THAT(io_.shown, Contains("[private] to Bob: hi"));
  ASSERT_TRUE(s().SendFileRequest("FILE CANCEL 9"));
  s().OnServerLine("ERR Unknown Transfer: 9");
  EXPECT_THAT(files_.answers, ElementsAre("CANCEL 9 Unknown Transfer"));
}

TEST_F(SessionFilesTest, EndOfInputWaitsForTransfers) {
  files_.is_busy = true;
  s().OnInputEnd();
  EXPECT_THAT(io_.sent, IsEmpty());
  files_.is_busy = false;
  s().OnFilesChanged();
  EXPECT_THAT(io_.sent, ElementsAre("QUIT"));
}

TEST_F(SessionFilesTest, AtATerminalTheWaitIsSaidOnce) {
  Start("Alice", true);
  files_.is_busy = true;
  s().OnInputEnd();
  s().OnFilesChanged();
  int said = 0;
  for (const std::string& line : io_.shown) {
    if (line.find("Waiting for the file transfers") != std::string::npos) {
      ++said;
    }
  }
  EXPECT_EQ(said, 1);
  s().OnInterrupt();  // Ctrl-C leaves at once
  EXPECT_EQ(io_.sent.back(), "QUIT");
}

TEST_F(SessionFilesTest, NoFileToOneself) {
  s().OnInputLine("/send alice notes.txt");
  EXPECT_THAT(files_.commands, IsEmpty());
  EXPECT_THAT(io_.shown, Contains(HasSubstr("cannot send a file to yourself")));
}

TEST_F(SessionFilesTest, FileCommandsNeedAName) {
  Start(std::nullopt, false);
  s().OnInputLine("/files");
  EXPECT_THAT(files_.commands, IsEmpty());
  EXPECT_THAT(io_.shown, Contains(HasSubstr("Choose a username first")));
}

}  // namespace
}  // namespace chat::client
