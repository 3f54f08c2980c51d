// Reading FILE pushes and the file-name rules. The pushes are read here
// rather than in protocol/server_line.h because only the client acts on
// their fields.
#include "client/file_line.h"

#include <charconv>
#include <cstdio>

#include "protocol/text.h"

namespace chat::client {
namespace {

// Splits off the first space-separated word of `*rest`.
std::string_view Word(std::string_view* rest) {
  const size_t space = rest->find(' ');
  const std::string_view word = rest->substr(0, space);
  *rest = space == std::string_view::npos ? std::string_view{}
                                          : rest->substr(space + 1);
  return word;
}

bool Number(std::string_view text, uint64_t* value) {
  if (text.empty() || text.size() > 19 ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  return std::from_chars(text.data(), text.data() + text.size(), *value).ec ==
         std::errc{};
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 &&
         text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The length of the longest prefix of `text` of at most `limit` bytes that
// does not end inside a UTF-8 character.
size_t CutAtCharacter(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text.size();
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return end;
}

}  // namespace

std::optional<FilePush> ParseFilePush(std::string_view line) {
  if (!line.starts_with("FILE ")) return std::nullopt;
  std::string_view rest = line.substr(5);
  const std::string_view verb = Word(&rest);
  FilePush push;
  if (verb == "OFFER") {
    push.kind = FilePush::Kind::kOffer;
    push.from = Word(&rest);
    const std::string_view id = Word(&rest);
    const std::string_view size = Word(&rest);
    push.sha256 = Word(&rest);
    push.name = rest;
    if (push.from.empty() || !Number(id, &push.id) ||
        !Number(size, &push.size) || !IsSha256Hex(push.sha256) ||
        push.name.empty()) {
      return std::nullopt;
    }
    return push;
  }
  if (!Number(Word(&rest), &push.id)) return std::nullopt;
  if (verb == "ACCEPT" || verb == "REJECT" || verb == "END") {
    push.kind = verb == "ACCEPT"   ? FilePush::Kind::kAccept
                : verb == "REJECT" ? FilePush::Kind::kReject
                                   : FilePush::Kind::kEnd;
    return rest.empty() ? std::optional(push) : std::nullopt;
  }
  if (verb == "DATA") {
    push.kind = FilePush::Kind::kData;
    push.data = rest;
    return push;
  }
  if (verb == "ACK") {
    push.kind = FilePush::Kind::kAck;
    if (!Number(rest, &push.size)) return std::nullopt;
    return push;
  }
  if (verb == "ABORT") {
    push.kind = FilePush::Kind::kAbort;
    push.reason = rest;
    return push;
  }
  return std::nullopt;
}

std::string HumanSize(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string OfferName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  std::string name(slash == std::string_view::npos ? path
                                                   : path.substr(slash + 1));
  for (char& c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\' || byte < 0x20 || byte == 0x7F) c = '_';
  }
  // Invalid UTF-8 or C1 controls would make the line Invalid Text.
  if (!protocol::IsValidText(name)) {
    name = protocol::SanitizeForTerminal(name);
    for (char& c : name) {
      if (static_cast<unsigned char>(c) < 0x20 || c == '\\') c = '_';
    }
  }
  name.resize(CutAtCharacter(name, kMaxFileNameBytes));
  return name.empty() ? "file" : name;
}

std::string SafeFileName(std::string_view offered) {
  const size_t cut = offered.find_last_of("/\\");
  if (cut != std::string_view::npos) offered = offered.substr(cut + 1);
  // C0 controls and DEL become '_'; SanitizeForTerminal then spells out C1
  // and bidirectional controls and replaces invalid bytes, and the
  // backslashes of its "\u0080" spellings become '_' too.
  std::string name(offered);
  for (char& c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = '_';
  }
  name = protocol::SanitizeForTerminal(name);
  for (char& c : name) {
    if (c == '\\') c = '_';
  }
  const size_t first = name.find_first_not_of(". ");
  name = first == std::string::npos ? std::string() : name.substr(first);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  name.resize(CutAtCharacter(name, kMaxFileNameBytes));
  return name.empty() ? "file" : name;
}

std::string NumberedName(const std::string& name, int n) {
  if (n == 0) return name;
  const std::string suffix = " (" + std::to_string(n) + ")";
  // "report.pdf" -> "report (1).pdf"; "archive" -> "archive (1)"; the
  // extension is what follows the last dot, unless that dot starts the name.
  const size_t dot = name.rfind('.');
  const bool has_extension = dot != std::string::npos && dot > 0;
  std::string stem = has_extension ? name.substr(0, dot) : name;
  const std::string extension = has_extension ? name.substr(dot) : "";
  // Stay within the name limit: shorten the stem.
  const size_t room = kMaxFileNameBytes - suffix.size() - extension.size();
  if (stem.size() > room) stem.resize(CutAtCharacter(stem, room));
  return stem + suffix + extension;
}

}  // namespace chat::client
