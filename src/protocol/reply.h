// What the server writes: answers, errors and pushes, each one complete line
// ending in LF. Arguments are inserted as given; callers pass only text that
// passed IsValidText / IsValidUsername.
#ifndef CHAT_PROTOCOL_REPLY_H_
#define CHAT_PROTOCOL_REPLY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chat::protocol {

enum class ErrorCode {
  kUnregisteredUser,
  kUnknownRecipient,
  kUnknownMessage,
  kBadSyntax,
  kInvalidUsername,
  kUsernameTaken,
  kAlreadyRegistered,
  kTooManyUsers,
  kTooManyConnections,
  kLineTooLong,
  kInvalidText,
  kSendQueueExceeded,
  // Accounts, offline delivery, history (version 2).
  kUnavailable,
  kNameReserved,
  kLoginFailed,
  kTooManyAttempts,
  kInvalidPassword,
  kNoAccount,
  kMailboxFull,
  // Rooms and private-message requests (version 2).
  kInvalidRoom,
  kUnknownRoom,
  kNotInRoom,
  kAlreadyInRoom,
  kTooManyRooms,
  kNotAccepted,
  kNoInvitation,
  kNoPrivateChat,
  // File transfer (version 2).
  kUnknownTransfer,
  kTooManyTransfers,
  kFileTooLarge,
  // The operator's bans (chat-admin ban).
  kBanned,
};

// The exact phrase, e.g. "Unregistered User".
std::string_view ErrorPhrase(ErrorCode code);

// "ERR <Phrase>\n" or "ERR <Phrase>: <detail>\n"; an empty detail gives the
// first form.
std::string FormatError(ErrorCode code, std::string_view detail = {});

// "HELLO chat-server 1.0; send JOIN <username>\n"
std::string FormatHello();
std::string FormatOkJoin(std::string_view name);  // OK JOIN <name>
std::string FormatOkMesg(std::string_view name);  // OK MESG <name>
std::string FormatOkBcst(size_t count);           // OK BCST <n>
std::string FormatOkQuit();                       // OK QUIT
// "LIST a,b,c\n". A LIST always includes the requester, so the list is never
// empty on a server; an empty one gives "LIST\n" (no trailing space).
std::string FormatList(const std::vector<std::string>& names);
// "PONG <token>\n", or "PONG\n" for an empty token.
std::string FormatPong(std::string_view token);

// Pushes.
std::string FormatMesgPush(std::string_view from, std::string_view text);
std::string FormatBcstPush(std::string_view from, std::string_view text);
std::string FormatJoined(std::string_view name);
std::string FormatLeft(std::string_view name);
std::string FormatBye(std::string_view reason);  // "BYE\n" if reason is empty

// Accounts, offline delivery, history (version 2).
std::string FormatOkRegister(std::string_view name);    // OK REGISTER <name>
std::string FormatOkLogin(std::string_view name);       // OK LOGIN <name>
std::string FormatOkPassword();                         // OK PASSWORD
std::string FormatOkUnregister(std::string_view name);  // OK UNREGISTER <n>
std::string FormatOkMesgQueued(std::string_view name);  // OK MESG <n> queued
// OFFLINE <id> <time> <from> <text>
std::string FormatOffline(std::string_view id, std::string_view time,
                          std::string_view from, std::string_view text);
// HISTORY <id> <time> <from> <to> <text>
std::string FormatHistoryLine(std::string_view id, std::string_view time,
                              std::string_view from, std::string_view to,
                              std::string_view text);
std::string FormatOkHistory(size_t count);  // OK HISTORY <n>

inline constexpr std::string_view kByeShutdown = "Server shutting down";
inline constexpr std::string_view kByeLoggedInElsewhere = "Logged In Elsewhere";
inline constexpr std::string_view kByeJoinTimeout = "Join Timeout";
// The operator removed the user: "BYE Kicked: <reason>" (chat-admin kick,
// or "banned" when a ban covers a user who is on line).
inline constexpr std::string_view kByeKickedPrefix = "Kicked: ";

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_REPLY_H_
