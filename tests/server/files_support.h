// Helpers for the file-transfer tests against a real server: content,
// SHA-256 and Base64 (libsodium, as the server uses), and two raw users,
// Alice (the sender) and Bob (the recipient), with an offer made.
#ifndef CHAT_TESTS_SERVER_FILES_SUPPORT_H_
#define CHAT_TESTS_SERVER_FILES_SUPPORT_H_

#include <gtest/gtest.h>
#include <sodium.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "support/connection.h"
#include "support/line_expect.h"
#include "support/server_process.h"

namespace chat::test {

inline constexpr size_t kChunk = 3000;
inline constexpr size_t kWindow = 256 * 1024;

inline std::string RandomBytes(size_t size, uint32_t seed = 12) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random() & 0xFF);
  return bytes;
}

inline std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest,
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

inline std::string Base64(std::string_view raw) {
  std::string text(
      sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL),
      '\0');
  sodium_bin2base64(text.data(), text.size(),
                    reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_ORIGINAL);
  text.pop_back();  // the NUL
  return text;
}

inline std::string Unbase64(std::string_view text) {
  std::string raw(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()),
                        raw.size(), text.data(), text.size(), nullptr, &length,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return "<invalid>";
  }
  raw.resize(length);
  return raw;
}

// "FILE DATA <id> <base64>" for raw[at, at + kChunk).
inline std::string DataLine(const std::string& id, std::string_view raw) {
  return "FILE DATA " + id + " " + Base64(raw);
}

class FilesTest : public testing::Test {
 protected:
  void StartServer(std::vector<std::string> args = {}) {
    args.push_back("--ephemeral");
    server_ = ServerProcess::Start(args);
    ASSERT_NE(server_, nullptr);
  }
  uint16_t port() const { return server_->port(); }

  // Alice and Bob, registered, each with the other's JOINED read.
  void AliceAndBob() {
    alice_ = ConnectAndJoin(port(), "Alice");
    bob_ = ConnectAndJoin(port(), "Bob");
    ASSERT_TRUE(alice_ && bob_);
    ASSERT_TRUE(NextLineIs(*alice_, "JOINED Bob"));
  }

  // Alice offers `size` bytes with `sha` to Bob; returns the id (Bob has
  // read the offer).
  std::string Offer(uint64_t size, const std::string& sha,
                    const std::string& name = "notes.txt") {
    alice_->SendLine("FILE OFFER Bob " + std::to_string(size) + " " + sha +
                     " " + name);
    auto answer = alice_->ReadLine();
    EXPECT_TRUE(answer && answer->starts_with("OK FILE OFFER "))
        << answer.value_or("(nothing)");
    if (!answer || !answer->starts_with("OK FILE OFFER ")) return "0";
    std::string id = answer->substr(14);
    EXPECT_TRUE(NextLineIs(*bob_, "FILE OFFER Alice " + id + " " +
                                      std::to_string(size) + " " + sha + " " +
                                      name));
    return id;
  }

  // Offer and acceptance; Alice has read FILE ACCEPT.
  std::string OfferAccepted(uint64_t size, const std::string& sha) {
    std::string id = Offer(size, sha);
    bob_->SendLine("FILE ACCEPT " + id);
    EXPECT_TRUE(NextLineIs(*bob_, "OK FILE ACCEPT " + id));
    EXPECT_TRUE(NextLineIs(*alice_, "FILE ACCEPT " + id));
    return id;
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Connection> alice_, bob_;
};

inline const std::string kSomeSha(64, 'a');

}  // namespace chat::test

#endif  // CHAT_TESTS_SERVER_FILES_SUPPORT_H_
