// Fuzz target: the arguments of a FILE request (what follows "FILE "), as
// ParseRequest hands them to ParseFileArgs, and the Base64 of a DATA chunk
// as the worker decodes it (DecodeFileChunk, through libsodium). What
// decodes must be 1 to kMaxFileChunk bytes and come back the same through
// the server's own encoding of the chunk it pushes to the recipient.
#include "protocol/file_request.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "protocol/text.h"

using chat::fuzz::Check;
using chat::fuzz::Inside;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view args(reinterpret_cast<const char*>(data), size);
  if (!chat::protocol::IsValidText(args)) return 0;  // the session's rule
  chat::protocol::FileArgs file;
  auto error = chat::protocol::ParseFileArgs(args, &file);
  if (error) {
    Check(!error->second.empty());
    return 0;
  }
  Check(Inside(file.recipient, args) && Inside(file.sha256, args) &&
        Inside(file.filename, args) && Inside(file.base64, args));
  if (file.op == chat::protocol::FileOp::kOffer) {
    Check(!file.filename.empty() &&
          file.filename.size() <= chat::protocol::kMaxFileNameBytes);
    Check(file.filename.find('/') == std::string_view::npos &&
          file.filename.find('\\') == std::string_view::npos);
    Check(file.filename != "." && file.filename != "..");
    Check(file.sha256.size() == 64);
  }
  if (file.op != chat::protocol::FileOp::kData) return 0;
  char raw[chat::protocol::kMaxFileChunk];
  auto length = chat::protocol::DecodeFileChunk(file.base64, raw);
  if (!length) return 0;
  Check(*length >= 1 && *length <= chat::protocol::kMaxFileChunk);
  std::string push;
  chat::protocol::AppendFileDataPush(file.id, std::string_view(raw, *length),
                                     &push);
  Check(push.back() == '\n');
  std::string_view encoded(push);
  encoded.remove_suffix(1);
  encoded.remove_prefix(encoded.rfind(' ') + 1);
  char again[chat::protocol::kMaxFileChunk];
  auto length_again = chat::protocol::DecodeFileChunk(encoded, again);
  Check(length_again && *length_again == *length &&
        std::string_view(again, *length) == std::string_view(raw, *length));
  return 0;
}
