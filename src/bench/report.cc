// Report formatting: the readable table and the one-line JSON form.
#include "bench/report.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace chat::bench {

void Report::Param(std::string key, Value value, std::string help) {
  params.push_back({std::move(key), std::move(value), std::move(help)});
}

void Report::Figure(std::string key, Value value, std::string help) {
  figures.push_back({std::move(key), std::move(value), std::move(help)});
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", c);
          out += escape;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

namespace {

// Reals: 3 decimals at most, trailing zeros dropped; NaN and infinities have
// no JSON form and become null.
std::string FormatReal(double value) {
  if (!std::isfinite(value)) return "null";
  char text[64];
  // Trimmed in the char buffer: the same on std::string trips GCC 12's
  // -Wrestrict false positive under the sanitizers.
  int length = std::snprintf(text, sizeof text, "%.3f", value);
  while (length > 0 && text[length - 1] == '0') --length;
  if (length > 0 && text[length - 1] == '.') --length;
  std::string_view trimmed(text, static_cast<size_t>(length));
  if (trimmed == "-0") return "0";
  return std::string(trimmed);
}

std::string PlainValue(const Value& value) {
  if (auto* text = std::get_if<std::string>(&value)) return *text;
  return JsonValue(value);
}

void AppendRow(std::string* out, const Field& field) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-24s %14s", field.key.c_str(),
                PlainValue(field.value).c_str());
  *out += line;
  if (!field.help.empty()) *out += "  " + field.help;
  *out += '\n';
}

}  // namespace

std::string JsonValue(const Value& value) {
  if (auto* integer = std::get_if<int64_t>(&value)) {
    return std::to_string(*integer);
  }
  if (auto* real = std::get_if<double>(&value)) return FormatReal(*real);
  return JsonString(std::get<std::string>(value));
}

std::string FormatJson(const Report& report) {
  std::string out = "{";
  auto add = [&out](std::string_view key, const std::string& json) {
    if (out.size() > 1) out += ',';
    out += JsonString(key);
    out += ':';
    out += json;
  };
  add("scenario", JsonString(report.scenario));
  add("dialect", JsonString(report.dialect));
  if (!report.label.empty()) add("label", JsonString(report.label));
  add("target", JsonString(report.target));
  for (const auto& field : report.params)
    add(field.key, JsonValue(field.value));
  for (const auto& field : report.figures) {
    add(field.key, JsonValue(field.value));
  }
  add("expected", std::to_string(report.expected));
  add("received", std::to_string(report.received));
  add("lost", std::to_string(report.lost));
  add("errors", std::to_string(report.errors));
  add("completed", report.completed ? "true" : "false");
  add("ok", report.ok() ? "true" : "false");
  if (!report.problems.empty()) {
    add("first_problem", JsonString(report.problems.front()));
  }
  out += '}';
  return out;
}

std::string FormatTable(const Report& report) {
  std::string out = report.scenario + " against " + report.target + " (" +
                    report.dialect + (report.label.empty() ? "" : ", ") +
                    report.label + ")\n";
  for (const auto& field : report.params) AppendRow(&out, field);
  out += "  ------------------------------------------\n";
  for (const auto& field : report.figures) AppendRow(&out, field);
  AppendRow(&out, {"expected", report.expected, "should have arrived"});
  AppendRow(&out, {"received", report.received, "did arrive"});
  AppendRow(&out, {"lost", report.lost, "must be 0"});
  AppendRow(&out, {"errors", report.errors, "protocol errors, must be 0"});
  if (!report.completed && !report.refused) {
    out += "  a phase ran out of time (see --timeout)\n";
  }
  for (const auto& problem : report.problems) out += "  ! " + problem + "\n";
  out += report.ok() ? "  result: ok\n" : "  result: FAILED\n";
  return out;
}

}  // namespace chat::bench
