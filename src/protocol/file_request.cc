// FILE requests: parsing, answers and pushes (the Base64 of chunks is in
// file_chunk.cc, so that a program parsing requests needs no libsodium).
#include "protocol/file_request.h"

#include <array>

#include "protocol/decimal.h"

namespace chat::protocol {
namespace {

constexpr std::string_view kOfferForm =
    "FILE OFFER <username> <size> <sha256> <filename>";
constexpr std::string_view kAllForms =
    "FILE OFFER|ACCEPT|REJECT|DATA|ACK|END|CANCEL ...";

struct SubSpec {
  std::string_view name;
  FileOp op;
  std::string_view form;
};

constexpr std::array<SubSpec, 7> kSubs = {{
    {"OFFER", FileOp::kOffer, kOfferForm},
    {"ACCEPT", FileOp::kAccept, "FILE ACCEPT <id>"},
    {"REJECT", FileOp::kReject, "FILE REJECT <id>"},
    {"DATA", FileOp::kData, "FILE DATA <id> <base64>"},
    {"ACK", FileOp::kAck, "FILE ACK <id> <bytes>"},
    {"END", FileOp::kEnd, "FILE END <id>"},
    {"CANCEL", FileOp::kCancel, "FILE CANCEL <id>"},
}};

std::optional<uint32_t> ParseId(std::string_view text) {
  auto id = ParseDecimal(text, UINT32_MAX);
  if (!id || *id == 0) return std::nullopt;
  return static_cast<uint32_t>(*id);
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsValidFileName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxFileNameBytes && name != "." &&
         name != ".." && name.find_first_of("/\\") == std::string_view::npos;
}

}  // namespace

std::string_view CutWord(std::string_view* rest) {
  size_t gap = rest->find(' ');
  std::string_view word = rest->substr(0, gap);
  *rest = gap == std::string_view::npos ? std::string_view()
                                        : rest->substr(gap + 1);
  return word;
}

std::optional<std::pair<ErrorCode, std::string>> ParseFileArgs(
    std::string_view args, FileArgs* out) {
  std::string_view rest = args;
  std::string_view sub = CutWord(&rest);
  const SubSpec* spec = nullptr;
  for (const SubSpec& candidate : kSubs) {
    if (candidate.name == sub) spec = &candidate;
  }
  if (spec == nullptr) {
    return std::make_pair(ErrorCode::kBadSyntax, std::string(kAllForms));
  }
  auto bad = std::make_pair(ErrorCode::kBadSyntax, std::string(spec->form));
  out->op = spec->op;
  if (spec->op == FileOp::kOffer) {
    out->recipient = CutWord(&rest);
    std::string_view size = CutWord(&rest);
    out->sha256 = CutWord(&rest);
    out->filename = rest;
    auto parsed = ParseDecimal(size, UINT64_MAX / 2);
    if (out->recipient.empty() || !parsed || !IsSha256Hex(out->sha256) ||
        !IsValidFileName(out->filename)) {
      return bad;
    }
    out->size = *parsed;
    return std::nullopt;
  }
  auto id = ParseId(CutWord(&rest));
  if (!id) return bad;
  out->id = *id;
  switch (spec->op) {
    case FileOp::kData:
      if (rest.empty()) return bad;
      out->base64 = rest;
      return std::nullopt;
    case FileOp::kAck: {
      auto bytes = ParseDecimal(rest, UINT64_MAX / 2);
      if (!bytes) return bad;
      out->size = *bytes;
      return std::nullopt;
    }
    default:
      if (!rest.empty() || args.back() == ' ') return bad;
      return std::nullopt;
  }
}

std::string FormatOkFile(std::string_view verb, uint32_t id) {
  return "OK FILE " + std::string(verb) + " " + std::to_string(id) + "\n";
}

std::string FormatFileOfferPush(std::string_view from, uint32_t id,
                                uint64_t size, std::string_view sha256,
                                std::string_view filename) {
  std::string line = "FILE OFFER ";
  line += from;
  line += ' ' + std::to_string(id) + ' ' + std::to_string(size) + ' ';
  line += sha256;
  line += ' ';
  line += filename;
  line += '\n';
  return line;
}

std::string FormatFilePush(std::string_view verb, uint32_t id,
                           std::string_view arg) {
  std::string line = "FILE ";
  line += verb;
  line += ' ' + std::to_string(id);
  if (!arg.empty()) {
    line += ' ';
    line += arg;
  }
  line += '\n';
  return line;
}

}  // namespace chat::protocol
