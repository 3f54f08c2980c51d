// Helpers for the file-transfer tests of the client: random content, files
// on disk, SHA-256 and Base64 as the protocol spells them, and whether the
// server under test knows FILE at all.
#ifndef CHAT_TESTS_CLIENT_FILE_TEST_SUPPORT_H_
#define CHAT_TESTS_CLIENT_FILE_TEST_SUPPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::test {

std::string RandomBytes(size_t size, unsigned seed);
void WriteFile(const std::string& path, const std::string& bytes);
std::optional<std::string> ReadFile(const std::string& path);
// The names in a directory, "." and ".." left out.
std::vector<std::string> DirectoryNames(const std::string& path);
std::string Sha256Hex(std::string_view bytes);
std::string Base64(std::string_view bytes);
// Raw bytes of a "FILE DATA <id> <base64>" line, or nullopt.
std::optional<std::string> DataChunk(std::string_view line);
// The id in "FILE OFFER <from> <id> ...".
std::string PushedOfferId(const std::string& line);
// Empty when the server at `port` knows FILE; otherwise why the test skips.
std::string WhyNoFileTransfer(uint16_t port);

}  // namespace chat::test

#endif  // CHAT_TESTS_CLIENT_FILE_TEST_SUPPORT_H_
