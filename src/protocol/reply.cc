// Formatting of everything the server writes: each function returns one
// complete line ending in LF, built with a single allocation.
#include "protocol/reply.h"

#include <cstdio>
#include <cstdlib>
#include <initializer_list>

namespace chat::protocol {
namespace {

std::string Concat(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  std::string line;
  line.reserve(size);
  for (std::string_view part : parts) line.append(part);
  return line;
}

// "<head>\n" or "<head> <arg>\n": an empty optional argument leaves no
// trailing space.
std::string WithOptional(std::string_view head, std::string_view arg) {
  if (arg.empty()) return Concat({head, "\n"});
  return Concat({head, " ", arg, "\n"});
}

}  // namespace

std::string_view ErrorPhrase(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnregisteredUser:
      return "Unregistered User";
    case ErrorCode::kUnknownRecipient:
      return "Unknown Recipient";
    case ErrorCode::kUnknownMessage:
      return "Unknown Message";
    case ErrorCode::kBadSyntax:
      return "Bad Syntax";
    case ErrorCode::kInvalidUsername:
      return "Invalid Username";
    case ErrorCode::kUsernameTaken:
      return "Username Taken";
    case ErrorCode::kAlreadyRegistered:
      return "Already Registered";
    case ErrorCode::kTooManyUsers:
      return "Too Many Users";
    case ErrorCode::kTooManyConnections:
      return "Too Many Connections";
    case ErrorCode::kLineTooLong:
      return "Line Too Long";
    case ErrorCode::kInvalidText:
      return "Invalid Text";
    case ErrorCode::kSendQueueExceeded:
      return "Send Queue Exceeded";
    case ErrorCode::kUnavailable:
      return "Unavailable";
    case ErrorCode::kNameReserved:
      return "Name Reserved";
    case ErrorCode::kLoginFailed:
      return "Login Failed";
    case ErrorCode::kTooManyAttempts:
      return "Too Many Attempts";
    case ErrorCode::kInvalidPassword:
      return "Invalid Password";
    case ErrorCode::kNoAccount:
      return "No Account";
    case ErrorCode::kMailboxFull:
      return "Mailbox Full";
    // Rooms and private-message requests (version 2).
    case ErrorCode::kInvalidRoom:
      return "Invalid Room";
    case ErrorCode::kUnknownRoom:
      return "Unknown Room";
    case ErrorCode::kNotInRoom:
      return "Not In Room";
    case ErrorCode::kAlreadyInRoom:
      return "Already In Room";
    case ErrorCode::kTooManyRooms:
      return "Too Many Rooms";
    case ErrorCode::kNotAccepted:
      return "Not Accepted";
    case ErrorCode::kNoInvitation:
      return "No Invitation";
    case ErrorCode::kNoPrivateChat:
      return "No Private Chat";
    case ErrorCode::kUnknownTransfer:
      return "Unknown Transfer";
    case ErrorCode::kTooManyTransfers:
      return "Too Many Transfers";
    case ErrorCode::kFileTooLarge:
      return "File Too Large";
    case ErrorCode::kBanned:
      return "Banned";
  }
  // Only a cast of an out-of-range integer gets here: a bug of ours.
  std::fprintf(stderr, "ErrorPhrase: invalid ErrorCode %d\n",
               static_cast<int>(code));
  std::abort();
}

std::string FormatError(ErrorCode code, std::string_view detail) {
  if (detail.empty()) return Concat({"ERR ", ErrorPhrase(code), "\n"});
  return Concat({"ERR ", ErrorPhrase(code), ": ", detail, "\n"});
}

std::string FormatHello() {
  return "HELLO chat-server 1.0; send JOIN <username>\n";
}

std::string FormatOkJoin(std::string_view name) {
  return Concat({"OK JOIN ", name, "\n"});
}

std::string FormatOkMesg(std::string_view name) {
  return Concat({"OK MESG ", name, "\n"});
}

std::string FormatOkBcst(size_t count) {
  return Concat({"OK BCST ", std::to_string(count), "\n"});
}

std::string FormatOkQuit() { return "OK QUIT\n"; }

std::string FormatList(const std::vector<std::string>& names) {
  if (names.empty()) return "LIST\n";
  size_t size = 5 + names.size();  // "LIST ", the commas and the LF
  for (const std::string& name : names) size += name.size();
  std::string line;
  line.reserve(size);
  line.append("LIST ");
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) line += ',';
    line.append(names[i]);
  }
  line += '\n';
  return line;
}

std::string FormatPong(std::string_view token) {
  return WithOptional("PONG", token);
}

std::string FormatMesgPush(std::string_view from, std::string_view text) {
  return Concat({"MESG ", from, " ", text, "\n"});
}

std::string FormatBcstPush(std::string_view from, std::string_view text) {
  return Concat({"BCST ", from, " ", text, "\n"});
}

std::string FormatJoined(std::string_view name) {
  return Concat({"JOINED ", name, "\n"});
}

std::string FormatLeft(std::string_view name) {
  return Concat({"LEFT ", name, "\n"});
}

std::string FormatBye(std::string_view reason) {
  return WithOptional("BYE", reason);
}

std::string FormatOkRegister(std::string_view name) {
  return Concat({"OK REGISTER ", name, "\n"});
}

std::string FormatOkLogin(std::string_view name) {
  return Concat({"OK LOGIN ", name, "\n"});
}

std::string FormatOkPassword() { return "OK PASSWORD\n"; }

std::string FormatOkUnregister(std::string_view name) {
  return Concat({"OK UNREGISTER ", name, "\n"});
}

std::string FormatOkMesgQueued(std::string_view name) {
  return Concat({"OK MESG ", name, " queued\n"});
}

std::string FormatOffline(std::string_view id, std::string_view time,
                          std::string_view from, std::string_view text) {
  return Concat({"OFFLINE ", id, " ", time, " ", from, " ", text, "\n"});
}

std::string FormatHistoryLine(std::string_view id, std::string_view time,
                              std::string_view from, std::string_view to,
                              std::string_view text) {
  return Concat(
      {"HISTORY ", id, " ", time, " ", from, " ", to, " ", text, "\n"});
}

std::string FormatOkHistory(size_t count) {
  return Concat({"OK HISTORY ", std::to_string(count), "\n"});
}

}  // namespace chat::protocol
