// Version 2's file transfer on the wire (PROTOCOL.md "File transfer"): the
// parsing of FILE requests (called by ParseRequest), the Base64 chunks, and
// the answers and pushes the server writes for them.
#ifndef CHAT_PROTOCOL_FILE_REQUEST_H_
#define CHAT_PROTOCOL_FILE_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/reply.h"

namespace chat::protocol {

// Raw bytes of one FILE DATA chunk, at most.
inline constexpr size_t kMaxFileChunk = 3000;
// Raw bytes a sender may have sent and not had acknowledged.
inline constexpr uint64_t kFileWindow = 256 * 1024;
inline constexpr size_t kMaxFileNameBytes = 255;
inline constexpr uint64_t kDefaultMaxFileSize = 64ull * 1024 * 1024;

enum class FileOp : uint32_t {
  kOffer = 1,
  kAccept = 2,
  kReject = 3,
  kData = 4,
  kAck = 5,
  kEnd = 6,
  kCancel = 7,
};

// The arguments of a FILE request; views into the line.
struct FileArgs {
  FileOp op = FileOp::kOffer;
  uint32_t id = 0;             // all but OFFER
  std::string_view recipient;  // OFFER
  uint64_t size = 0;           // OFFER: the file's; ACK: bytes received
  std::string_view sha256;     // OFFER
  std::string_view filename;   // OFFER
  std::string_view base64;     // DATA
};

// `args` is what follows "FILE ". Bad Syntax (detail: the sub-request's
// form, or every form for an unknown one) for anything malformed: a
// missing or non-numeric id, a size that is no decimal number, a SHA-256
// that is not 64 lower-case hex digits, a file name that is empty, longer
// than 255 bytes, "." or "..", or holds '/' or '\'. DATA's Base64 is left
// to the worker (a bad chunk ends the transfer, see DecodeFileChunk).
std::optional<std::pair<ErrorCode, std::string>> ParseFileArgs(
    std::string_view args, FileArgs* out);

// Cuts the next space-ended word off *rest (all of it if there is no space).
std::string_view CutWord(std::string_view* rest);

// (file_chunk.cc, with libsodium.) Decodes one chunk of standard Base64 with
// padding into `out` (at least kMaxFileChunk bytes): its raw size, or nullopt
// if it is not valid Base64 or does not hold 1 to kMaxFileChunk bytes.
std::optional<size_t> DecodeFileChunk(std::string_view base64, char* out);
// "FILE DATA <id> <base64 of raw>\n" appended to *line.
void AppendFileDataPush(uint32_t id, std::string_view raw, std::string* line);

// Answers: "OK FILE <VERB> <id>".
std::string FormatOkFile(std::string_view verb, uint32_t id);
// Pushes.
std::string FormatFileOfferPush(std::string_view from, uint32_t id,
                                uint64_t size, std::string_view sha256,
                                std::string_view filename);
// "FILE <VERB> <id>" (ACCEPT, REJECT, END) and "FILE <VERB> <id> <arg>"
// (ACK <bytes>, ABORT <reason>).
std::string FormatFilePush(std::string_view verb, uint32_t id,
                           std::string_view arg = {});

// The reasons of FILE ABORT.
inline constexpr std::string_view kAbortCancelled = "Cancelled";
inline constexpr std::string_view kAbortSenderLeft = "Sender Left";
inline constexpr std::string_view kAbortRecipientLeft = "Recipient Left";
inline constexpr std::string_view kAbortOfferTimeout = "Offer Timeout";
inline constexpr std::string_view kAbortDataBeforeAccept = "Data Before Accept";
inline constexpr std::string_view kAbortInvalidBase64 = "Invalid Base64";
inline constexpr std::string_view kAbortPastSize = "Past Size";
inline constexpr std::string_view kAbortWindowExceeded = "Window Exceeded";
inline constexpr std::string_view kAbortStalled = "Stalled";
inline constexpr std::string_view kAbortIncomplete = "Incomplete";

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_FILE_REQUEST_H_
