// Session: the file commands and FILE lines, handed to the file handler
// (file_transfers.h); the session keeps only the order of requests and
// answers, which FILE requests share with every other request.
#include <algorithm>
#include <cctype>

#include "client/session.h"

namespace chat::client {

using protocol::ServerLineKind;

namespace {

// Usernames are unique without regard to case (ASCII letters and digits).
bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool Session::SendFileRequest(const std::string& request) {
  if (state_ != State::kChatting) return false;
  return SendRequest(request);
}

void Session::SendUnanswered(std::string_view line) {
  // DATA and ACK get no answer: they stay out of `pending_`.
  if (state_ == State::kChatting) io_.Send(line);
}

void Session::OnFilesChanged() {
  // Only the QUIT check is wanted: with lines queued, Pump is running (this
  // comes from a file command it is handling) or runs at the next answer.
  if (input_ended_ && queue_.empty() && state_ == State::kChatting) Pump();
}

bool Session::IsStrayFileError(const protocol::ServerLine& parsed) const {
  // DATA and ACK for a transfer that just ended are dropped by the server
  // in silence; should one still be answered, the answer must not be
  // taken for that of the oldest request.
  if (parsed.first != "Unknown Transfer") return false;
  if (pending_.empty()) return true;
  const SentRequest& oldest = pending_.front();
  return oldest.kind != SentRequest::Kind::kFile ||
         oldest.text.substr(0, oldest.text.find(' ')) != parsed.second;
}

void Session::FileCommand(const Command& command) {
  if (state_ != State::kChatting) {
    Show(renderer_.Error("Choose a username first; then send files"));
  } else if (files_ == nullptr) {
    Show(renderer_.Error("File transfer is not available in this client"));
  } else if (command.action == Action::kSendFile &&
             SameName(command.name, name_)) {
    // Both ends of one transfer in one client: nothing to gain, and the
    // offer and the transfer would share an id.
    Show(renderer_.Error("Not sent: you cannot send a file to yourself"));
  } else {
    files_->OnCommand(command);
  }
}

bool Session::HandleFilesLine(std::string_view line,
                              const protocol::ServerLine& parsed,
                              const SentRequest* answered) {
  const bool file_answer =
      answered != nullptr && answered->kind == SentRequest::Kind::kFile;
  if (parsed.kind == ServerLineKind::kUnknown && line.starts_with("FILE ")) {
    if (files_ == nullptr) return false;  // shown as an unknown line
    files_->OnPush(line);
    return true;
  }
  if (!file_answer || files_ == nullptr) return false;
  if (parsed.kind == ServerLineKind::kOk && parsed.first == "FILE") {
    // "OK FILE OFFER 7": the sub-verb, then the id.
    const std::string_view rest = parsed.second;
    const size_t space = rest.find(' ');
    const std::string_view subverb = rest.substr(0, space);
    const std::string_view id = space == std::string_view::npos
                                    ? std::string_view{}
                                    : rest.substr(space + 1);
    if (files_->OnAnswer(subverb, id, true, {}, {})) return true;
    Show(renderer_.Unknown(line));
    return true;
  }
  if (parsed.kind == ServerLineKind::kError) {
    const std::string_view argument = answered->text;
    if (files_->OnAnswer(answered->name, argument, false, parsed.first,
                         parsed.second)) {
      return true;
    }
  }
  return false;
}

}  // namespace chat::client
