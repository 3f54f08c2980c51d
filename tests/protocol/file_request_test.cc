// FILE requests on the wire: parsing, the Base64 of chunks, pushes.
#include "protocol/file_request.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "protocol/request.h"

namespace chat::protocol {
namespace {

const std::string kSha(64, 'f');

Request Parsed(const std::string& line) {
  auto parsed = ParseRequest(line);
  EXPECT_TRUE(std::holds_alternative<Request>(parsed)) << line;
  return std::holds_alternative<Request>(parsed) ? std::get<Request>(parsed)
                                                 : Request{};
}

std::string ErrorOf(const std::string& line) {
  auto parsed = ParseRequest(line);
  if (!std::holds_alternative<RequestError>(parsed)) return "(parsed)";
  const auto& error = std::get<RequestError>(parsed);
  return std::string(ErrorPhrase(error.code)) + ": " + error.detail;
}

TEST(FileRequestTest, OfferKeepsTheWholeRestAsTheFileName) {
  static std::string line = "FILE OFFER bob 12 " + kSha + " my file (2).txt";
  Request request = Parsed(line);
  EXPECT_EQ(request.verb, Verb::kFile);
  EXPECT_EQ(request.file.op, FileOp::kOffer);
  EXPECT_EQ(request.file.recipient, "bob");
  EXPECT_EQ(request.file.size, 12u);
  EXPECT_EQ(request.file.sha256, kSha);
  EXPECT_EQ(request.file.filename, "my file (2).txt");
}

TEST(FileRequestTest, OtherRequests) {
  static std::string data = "FILE DATA 7 YWJj";
  Request request = Parsed(data);
  EXPECT_EQ(request.file.op, FileOp::kData);
  EXPECT_EQ(request.file.id, 7u);
  EXPECT_EQ(request.file.base64, "YWJj");
  static std::string ack = "FILE ACK 7 0";
  request = Parsed(ack);
  EXPECT_EQ(request.file.op, FileOp::kAck);
  EXPECT_EQ(request.file.size, 0u);
  for (std::string verb : {"ACCEPT", "REJECT", "END", "CANCEL"}) {
    static std::string line;
    line = "FILE " + verb + " 42";
    request = Parsed(line);
    EXPECT_EQ(request.file.id, 42u) << line;
  }
}

TEST(FileRequestTest, MalformedIsBadSyntax) {
  const std::string offer =
      "Bad Syntax: FILE OFFER <username> <size> <sha256> <filename>";
  EXPECT_EQ(ErrorOf("FILE OFFER bob 12 " + kSha), offer);
  EXPECT_EQ(ErrorOf("FILE OFFER bob 012 " + kSha + " a"), offer);
  EXPECT_EQ(ErrorOf("FILE OFFER bob -1 " + kSha + " a"), offer);
  EXPECT_EQ(ErrorOf("FILE OFFER bob 1 " + kSha.substr(1) + " a"), offer);
  EXPECT_EQ(ErrorOf("FILE OFFER bob 1 " + kSha + " a\\b"), offer);
  EXPECT_EQ(ErrorOf("FILE OFFER bob 1 " + kSha + " ."), offer);
  EXPECT_EQ(ErrorOf("FILE OFFER bob 1 " + kSha + " " + std::string(256, 'x')),
            offer);
  EXPECT_EQ(ErrorOf("FILE ACCEPT 0"), "Bad Syntax: FILE ACCEPT <id>");
  EXPECT_EQ(ErrorOf("FILE END 1 2"), "Bad Syntax: FILE END <id>");
  EXPECT_EQ(ErrorOf("FILE CANCEL 1 "), "Bad Syntax: FILE CANCEL <id>");
  EXPECT_EQ(ErrorOf("FILE ACK 1 x"), "Bad Syntax: FILE ACK <id> <bytes>");
  EXPECT_EQ(ErrorOf("FILE DATA 1"), "Bad Syntax: FILE DATA <id> <base64>");
  EXPECT_EQ(ErrorOf("FILE SEND 1"),
            "Bad Syntax: FILE OFFER|ACCEPT|REJECT|DATA|ACK|END|CANCEL ...");
}

TEST(FileRequestTest, ChunksAreStandardBase64WithPadding) {
  char out[kMaxFileChunk];
  EXPECT_EQ(DecodeFileChunk("YWJj", out), 3u);
  EXPECT_EQ(std::string(out, 3), "abc");
  EXPECT_EQ(DecodeFileChunk("YWI=", out), 2u);
  EXPECT_FALSE(DecodeFileChunk("YWI", out));    // padding missing
  EXPECT_FALSE(DecodeFileChunk("YW-_", out));   // the URL-safe alphabet
  EXPECT_FALSE(DecodeFileChunk("YW Jj", out));  // a space
  EXPECT_FALSE(DecodeFileChunk("", out));
  std::string line;
  AppendFileDataPush(9, std::string(kMaxFileChunk, 'x'), &line);
  ASSERT_EQ(line.back(), '\n');
  std::string text = line.substr(12, line.size() - 13);  // "FILE DATA 9 "
  EXPECT_EQ(text.size(), 4000u);
  EXPECT_EQ(DecodeFileChunk(text, out), kMaxFileChunk);
  EXPECT_FALSE(DecodeFileChunk(text + "YWJj", out));  // 3003 bytes
}

TEST(FileRequestTest, Pushes) {
  EXPECT_EQ(FormatFileOfferPush("Alice", 3, 10, kSha, "a b"),
            "FILE OFFER Alice 3 10 " + kSha + " a b\n");
  EXPECT_EQ(FormatFilePush("ABORT", 3, kAbortWindowExceeded),
            "FILE ABORT 3 Window Exceeded\n");
  EXPECT_EQ(FormatFilePush("END", 3), "FILE END 3\n");
  EXPECT_EQ(FormatOkFile("OFFER", 3), "OK FILE OFFER 3\n");
}

}  // namespace
}  // namespace chat::protocol
