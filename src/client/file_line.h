// The file-transfer lines the server sends (PROTOCOL.md "File transfer"),
// read into a struct, and the naming rules the client applies to files:
// sizes for people, the file name an offer carries, and the safe local name
// a received file is saved under.
#ifndef CHAT_CLIENT_FILE_LINE_H_
#define CHAT_CLIENT_FILE_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/file_request.h"

namespace chat::client {

// The protocol's limits: raw bytes per chunk, the window, a name's length.
using protocol::kFileWindow;
using protocol::kMaxFileChunk;
using protocol::kMaxFileNameBytes;

struct FilePush {
  enum class Kind { kOffer, kAccept, kReject, kData, kAck, kEnd, kAbort };
  Kind kind = Kind::kOffer;
  uint64_t id = 0;
  std::string from;       // kOffer
  uint64_t size = 0;      // kOffer: the file's size; kAck: bytes received
  std::string sha256;     // kOffer: 64 lower-case hex digits
  std::string name;       // kOffer: the file name as sent (not yet safe)
  std::string_view data;  // kData: the Base64 text (a view into the line)
  std::string reason;     // kAbort
};

// A FILE push, or nullopt when `line` is not one or is malformed.
std::optional<FilePush> ParseFilePush(std::string_view line);

// "1.0 MiB", "512 B", "3.4 GiB": binary units, one decimal.
std::string HumanSize(uint64_t bytes);

// The name an offer announces for the file at `path`: its last component,
// with '\\' and control characters replaced by '_', cut to 255 bytes at a
// character boundary.
std::string OfferName(std::string_view path);

// The name a received file is saved under, from the name the peer sent:
// no directory part (what follows the last '/' or '\\'), no control or
// invalid bytes, no leading dots (no hidden or "." / ".." names), at most
// 255 bytes; "file" when nothing is left.
std::string SafeFileName(std::string_view offered);

// The n-th name tried when `name` exists already: "report (1).pdf",
// "report (2).pdf"; n = 0 is `name` itself.
std::string NumberedName(const std::string& name, int n);

}  // namespace chat::client

#endif  // CHAT_CLIENT_FILE_LINE_H_
