// Helpers for the file-transfer tests (libsodium, as the client uses).
#include "file_test_support.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <fstream>
#include <random>
#include <sstream>

#include "support/connection.h"

namespace chat::test {

std::string RandomBytes(size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator() & 0xFF);
  return bytes;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

std::vector<std::string> DirectoryNames(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  return names;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest,
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string Base64(std::string_view bytes) {
  std::string text(
      sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL),
      '\0');
  sodium_bin2base64(text.data(), text.size(),
                    reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  text.pop_back();  // the NUL
  return text;
}

std::optional<std::string> DataChunk(std::string_view line) {
  if (!line.starts_with("FILE DATA ")) return std::nullopt;
  const size_t space = line.find(' ', 10);
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view text = line.substr(space + 1);
  std::string chunk(text.size(), '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(chunk.data()),
                        chunk.size(), text.data(), text.size(), nullptr,
                        &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  chunk.resize(length);
  return chunk;
}

std::string PushedOfferId(const std::string& line) {
  std::istringstream words(line);
  std::string file, offer, from, id;
  words >> file >> offer >> from >> id;
  return id;
}

std::string WhyNoFileTransfer(uint16_t port) {
  if (sodium_init() < 0) return "libsodium did not start";
  auto probe = ConnectAndJoin(port, "Probe");
  if (probe == nullptr) return "could not join to ask the server";
  probe->SendLine("FILE CANCEL 1");
  const auto answer = probe->ReadLine();
  if (!answer) return "the server did not answer FILE";
  if (answer->starts_with("ERR Unknown Message")) {
    return "the server does not support FILE yet (it answered \"" + *answer +
           "\")";
  }
  probe->SendLine("QUIT");
  return "";
}

}  // namespace chat::test
