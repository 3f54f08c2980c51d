// What the fuzz targets assert: a failed check aborts, which libFuzzer
// reports as a crash with the input that caused it.
#ifndef CHAT_FUZZ_CHECK_H_
#define CHAT_FUZZ_CHECK_H_

#include <cstdlib>
#include <string_view>

namespace chat::fuzz {

inline void Check(bool ok) {
  if (!ok) std::abort();
}

// Whether a parsed view lies within the bytes it was parsed from.
inline bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() &&
          part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace chat::fuzz

#endif  // CHAT_FUZZ_CHECK_H_
