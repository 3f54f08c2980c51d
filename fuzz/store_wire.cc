// Fuzz target: the store's payload encoding (store/wire.h), decoded as the
// store decodes a request and a worker an answer. Whatever decodes must
// encode back to the same bytes, and nothing may read past the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/check.h"
#include "store/wire.h"

using chat::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto decoded = chat::store::Decode(bytes)) {
    Check(chat::store::Encode(decoded->head, decoded->fields) == bytes);
    // At most one field per four bytes after the head.
    Check(decoded->fields.size() <= (size - 1) / 4);
  }
  if (auto request = chat::store::DecodeRequest(bytes)) {
    Check(chat::store::EncodeRequest(
              request->first,
              static_cast<chat::store::Op>(request->second.head),
              request->second.fields) == bytes);
  }
  return 0;
}
