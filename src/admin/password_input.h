// Reading a new password for reset-password: from a terminal without echo,
// asked twice (as passwd(1) does, since a mistyped password that is not
// shown cannot be seen), or one line from standard input when that is not a
// terminal (for scripts: `echo "$pw" | chat-admin reset-password Alice`).
// The bytes live in one fixed buffer that is wiped (sodium_memzero) when
// the Secret goes, and never in a std::string that might leave copies when
// it grows.
#ifndef CHAT_ADMIN_PASSWORD_INPUT_H_
#define CHAT_ADMIN_PASSWORD_INPUT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::admin {

class Secret {
 public:
  // Room for the longest valid password (128 bytes) and more, so that a
  // longer one is seen to be too long rather than cut.
  static constexpr size_t kCapacity = 256;

  Secret() = default;
  ~Secret();
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  std::string_view view() const { return {bytes_, size_}; }
  bool overflowed() const { return overflowed_; }
  // Appends one byte (or notes the overflow).
  void Add(char byte);
  // Wipes and empties it.
  void Clear();

 private:
  char bytes_[kCapacity];
  size_t size_ = 0;
  bool overflowed_ = false;
};

// Reads the new password into *password. False with *error set when none
// could be read (end of input, the two entries differ, a read error).
bool ReadNewPassword(Secret* password, std::string* error);

}  // namespace chat::admin

#endif  // CHAT_ADMIN_PASSWORD_INPUT_H_
