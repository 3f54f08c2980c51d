// The file-transfer lines the client reads and the names it gives files:
// what a hostile peer can put in a file name never leaves the download
// directory, hides the file or writes control characters.
#include "client/file_line.h"

#include <gtest/gtest.h>

#include "client/command_table.h"

namespace chat::client {
namespace {

const std::string kSha(64, 'a');

TEST(FileLineTest, ReadsEveryPushOfTheProtocol) {
  auto offer =
      ParseFilePush("FILE OFFER Bob 7 1048576 " + kSha + " my report.pdf");
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->kind, FilePush::Kind::kOffer);
  EXPECT_EQ(offer->from, "Bob");
  EXPECT_EQ(offer->id, 7u);
  EXPECT_EQ(offer->size, 1048576u);
  EXPECT_EQ(offer->sha256, kSha);
  EXPECT_EQ(offer->name, "my report.pdf");

  auto data = ParseFilePush("FILE DATA 7 aGk=");
  ASSERT_TRUE(data);
  EXPECT_EQ(data->kind, FilePush::Kind::kData);
  EXPECT_EQ(data->data, "aGk=");

  auto ack = ParseFilePush("FILE ACK 7 3000");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->size, 3000u);

  auto abort = ParseFilePush("FILE ABORT 7 Sender Left");
  ASSERT_TRUE(abort);
  EXPECT_EQ(abort->reason, "Sender Left");

  EXPECT_EQ(ParseFilePush("FILE ACCEPT 7")->kind, FilePush::Kind::kAccept);
  EXPECT_EQ(ParseFilePush("FILE REJECT 7")->kind, FilePush::Kind::kReject);
  EXPECT_EQ(ParseFilePush("FILE END 7")->kind, FilePush::Kind::kEnd);
}

TEST(FileLineTest, MalformedPushesAreRefused) {
  EXPECT_FALSE(ParseFilePush("FILE OFFER Bob 7 12 nothex name"));
  EXPECT_FALSE(ParseFilePush("FILE OFFER Bob x 12 " + kSha + " name"));
  EXPECT_FALSE(ParseFilePush("FILE OFFER Bob 7 12 " + kSha));
  EXPECT_FALSE(ParseFilePush("FILE ACK 7"));
  EXPECT_FALSE(ParseFilePush("FILE ACK 7 -1"));
  EXPECT_FALSE(ParseFilePush("FILE END"));
  EXPECT_FALSE(ParseFilePush("FILE WHAT 7"));
  EXPECT_FALSE(ParseFilePush("MESG Bob FILE END 7"));
}

TEST(FileLineTest, SafeNameKeepsNoPathHiddenDotOrControlCharacter) {
  EXPECT_EQ(SafeFileName("report.pdf"), "report.pdf");
  EXPECT_EQ(SafeFileName("../../etc/passwd"), "passwd");
  EXPECT_EQ(SafeFileName("..\\..\\boot.ini"), "boot.ini");
  EXPECT_EQ(SafeFileName(".bashrc"), "bashrc");
  EXPECT_EQ(SafeFileName(".."), "file");
  EXPECT_EQ(SafeFileName(""), "file");
  EXPECT_EQ(SafeFileName("a\x1b[31mb\tc\x7f"), "a_[31mb_c_");
  // A C1 control and a bidirectional override are spelled out, harmless.
  const std::string name = SafeFileName("x\xc2\x9by\xe2\x80\xaez");
  EXPECT_EQ(name.find('\x9b'), std::string::npos);
  EXPECT_EQ(name.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_EQ(name.find('/'), std::string::npos);
  EXPECT_LE(SafeFileName(std::string(400, 'x')).size(), kMaxFileNameBytes);
}

TEST(FileLineTest, NumberedNamesKeepTheExtension) {
  EXPECT_EQ(NumberedName("report.pdf", 0), "report.pdf");
  EXPECT_EQ(NumberedName("report.pdf", 1), "report (1).pdf");
  EXPECT_EQ(NumberedName("archive", 2), "archive (2)");
  EXPECT_EQ(NumberedName("notes.tar.gz", 1), "notes.tar (1).gz");
  EXPECT_LE(NumberedName(std::string(255, 'x'), 12).size(), kMaxFileNameBytes);
}

TEST(FileLineTest, OfferNameIsTheLastPathComponent) {
  EXPECT_EQ(OfferName("/tmp/dir/report.pdf"), "report.pdf");
  EXPECT_EQ(OfferName("report.pdf"), "report.pdf");
  EXPECT_EQ(OfferName("dir/a\\b"), "a_b");
  EXPECT_EQ(HumanSize(512), "512 B");
  EXPECT_EQ(HumanSize(1048576), "1.0 MiB");
}

TEST(FileLineTest, FileCommandsParseAndCheckTheirArguments) {
  Command send = ParseInput("/send Bob /tmp/my file.txt");
  EXPECT_EQ(send.action, Action::kSendFile);
  EXPECT_EQ(send.name, "Bob");
  EXPECT_EQ(send.text, "/tmp/my file.txt");
  EXPECT_EQ(ParseInput("/send Bob").action, Action::kUsage);
  EXPECT_EQ(ParseInput("/send B-b x").action, Action::kUsage);
  EXPECT_EQ(ParseInput("/files").action, Action::kFiles);
  Command get = ParseInput("/get 12");
  EXPECT_EQ(get.action, Action::kGetFile);
  EXPECT_EQ(get.name, "12");
  EXPECT_EQ(ParseInput("/decline 3").action, Action::kDeclineFile);
  EXPECT_EQ(ParseInput("/cancel 3").action, Action::kCancelFile);
  EXPECT_EQ(ParseInput("/get x").action, Action::kUsage);
  EXPECT_EQ(ParseInput("/get").action, Action::kUsage);
  EXPECT_EQ(ParseInput("/cancel 0").action, Action::kUsage);
}

}  // namespace
}  // namespace chat::client
