// A strict reader for the flat JSON objects chat-bench prints (string,
// number, true/false/null values; no nesting), so the tests prove that each
// line really is JSON and read its fields.
#ifndef CHAT_TESTS_BENCH_FLAT_JSON_H_
#define CHAT_TESTS_BENCH_FLAT_JSON_H_

#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chat::test {

// Values keep their JSON spelling, except strings, which are unescaped.
using FlatJson = std::map<std::string, std::string>;

namespace flat_json_detail {

inline void SkipSpace(std::string_view* in) {
  while (!in->empty() &&
         std::isspace(static_cast<unsigned char>(in->front()))) {
    in->remove_prefix(1);
  }
}

inline std::optional<std::string> ReadString(std::string_view* in) {
  if (in->empty() || in->front() != '"') return std::nullopt;
  in->remove_prefix(1);
  std::string out;
  while (!in->empty()) {
    char c = in->front();
    in->remove_prefix(1);
    if (c == '"') return out;
    if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (in->empty()) return std::nullopt;
    char e = in->front();
    in->remove_prefix(1);
    switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        if (in->size() < 4) return std::nullopt;
        std::string hex(in->substr(0, 4));
        for (char h : hex) {
          if (!std::isxdigit(static_cast<unsigned char>(h)))
            return std::nullopt;
        }
        long code = std::strtol(hex.c_str(), nullptr, 16);
        if (code >= 0x80) return std::nullopt;  // chat-bench escapes ASCII only
        out += static_cast<char>(code);
        in->remove_prefix(4);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

// A JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
inline std::optional<std::string> ReadNumber(std::string_view* in) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < in->size() &&
           std::isdigit(static_cast<unsigned char>((*in)[i]))) {
      ++i;
    }
    return i - start;
  };
  if (i < in->size() && (*in)[i] == '-') ++i;
  size_t first = i;
  size_t n = digits();
  if (n == 0 || (n > 1 && (*in)[first] == '0')) return std::nullopt;
  if (i < in->size() && (*in)[i] == '.') {
    ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i < in->size() && ((*in)[i] == 'e' || (*in)[i] == 'E')) {
    ++i;
    if (i < in->size() && ((*in)[i] == '+' || (*in)[i] == '-')) ++i;
    if (digits() == 0) return std::nullopt;
  }
  std::string number(in->substr(0, i));
  in->remove_prefix(i);
  return number;
}

}  // namespace flat_json_detail

// The object's fields, or nullopt unless `text` is exactly one flat object.
inline std::optional<FlatJson> ParseFlatJson(std::string_view text) {
  using namespace flat_json_detail;
  FlatJson fields;
  SkipSpace(&text);
  if (text.empty() || text.front() != '{') return std::nullopt;
  text.remove_prefix(1);
  SkipSpace(&text);
  bool first = true;
  while (true) {
    SkipSpace(&text);
    if (!text.empty() && text.front() == '}' && first) break;
    auto key = ReadString(&text);
    if (!key || fields.count(*key)) return std::nullopt;
    SkipSpace(&text);
    if (text.empty() || text.front() != ':') return std::nullopt;
    text.remove_prefix(1);
    SkipSpace(&text);
    std::optional<std::string> value;
    if (!text.empty() && text.front() == '"') {
      value = ReadString(&text);
    } else {
      for (std::string_view word : {"true", "false", "null"}) {
        if (text.substr(0, word.size()) == word) {
          value = std::string(word);
          text.remove_prefix(word.size());
        }
      }
      if (!value) value = ReadNumber(&text);
    }
    if (!value) return std::nullopt;
    fields[*key] = *value;
    first = false;
    SkipSpace(&text);
    if (!text.empty() && text.front() == ',') {
      text.remove_prefix(1);
      continue;
    }
    if (!text.empty() && text.front() == '}') break;
    return std::nullopt;
  }
  text.remove_prefix(1);
  SkipSpace(&text);
  if (!text.empty()) return std::nullopt;
  return fields;
}

}  // namespace chat::test

#endif  // CHAT_TESTS_BENCH_FLAT_JSON_H_
