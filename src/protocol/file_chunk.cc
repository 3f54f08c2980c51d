// The Base64 of FILE DATA chunks.
//
// Base64 goes through libsodium (already linked for Argon2id) rather than
// a hand-written codec: sodium_base642bin with sodium_base64_VARIANT_ORIGINAL
// is exactly the protocol's "standard Base64 with padding", rejects any
// other character (no `ignore` set) and bad padding, runs in constant time
// per byte, and has been fuzzed far more than a codec of ours would be.
#include <sodium.h>

#include "protocol/file_request.h"

namespace chat::protocol {

std::optional<size_t> DecodeFileChunk(std::string_view base64, char* out) {
  // Four characters carry three bytes: a longer text cannot fit.
  if (base64.empty() || base64.size() > (kMaxFileChunk + 2) / 3 * 4) {
    return std::nullopt;
  }
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out), kMaxFileChunk,
                        base64.data(), base64.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      length == 0) {
    return std::nullopt;
  }
  return length;
}

void AppendFileDataPush(uint32_t id, std::string_view raw, std::string* line) {
  line->append("FILE DATA ");
  line->append(std::to_string(id));
  line->push_back(' ');
  size_t start = line->size();
  size_t encoded =
      sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL);
  line->resize(start + encoded);  // with its NUL, replaced by the LF
  sodium_bin2base64(line->data() + start, encoded,
                    reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_ORIGINAL);
  line->back() = '\n';
}

}  // namespace chat::protocol
