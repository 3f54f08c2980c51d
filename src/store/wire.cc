// The store's frame encoding: a head byte, then length-prefixed fields.
#include "store/wire.h"

#include <cstring>

namespace chat::store {

std::string Encode(uint8_t head, const std::vector<std::string_view>& fields) {
  size_t size = 1;
  for (auto field : fields) size += 4 + field.size();
  std::string out;
  out.reserve(size);
  out.push_back(static_cast<char>(head));
  for (auto field : fields) {
    auto length = static_cast<uint32_t>(field.size());
    char prefix[4];
    std::memcpy(prefix, &length, sizeof prefix);
    out.append(prefix, sizeof prefix);
    out.append(field);
  }
  return out;
}

std::optional<Decoded> Decode(std::string_view bytes) {
  if (bytes.empty()) return std::nullopt;
  Decoded decoded;
  decoded.head = static_cast<uint8_t>(bytes[0]);
  size_t at = 1;
  // At most one field per 4 bytes: bounded by the frame's own size.
  while (at < bytes.size()) {
    if (bytes.size() - at < 4) return std::nullopt;
    uint32_t length = 0;
    std::memcpy(&length, bytes.data() + at, sizeof length);
    at += 4;
    if (bytes.size() - at < length) return std::nullopt;
    decoded.fields.push_back(bytes.substr(at, length));
    at += length;
  }
  return decoded;
}

std::string EncodeRequest(uint32_t seq, Op op,
                          const std::vector<std::string_view>& fields) {
  char prefix[4];
  std::memcpy(prefix, &seq, sizeof prefix);
  return std::string(prefix, sizeof prefix) +
         Encode(static_cast<uint8_t>(op), fields);
}

std::optional<std::pair<uint32_t, Decoded>> DecodeRequest(
    std::string_view bytes) {
  if (bytes.size() < 4) return std::nullopt;
  uint32_t seq = 0;
  std::memcpy(&seq, bytes.data(), sizeof seq);
  auto decoded = Decode(bytes.substr(4));
  if (!decoded) return std::nullopt;
  return std::make_pair(seq, std::move(*decoded));
}

}  // namespace chat::store
