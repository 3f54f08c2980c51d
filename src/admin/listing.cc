// Listing: tables and JSON lines. JSON through nlohmann::json (Debian
// nlohmann-json3-dev), which escapes every string as RFC 8259 requires and
// replaces bytes that are not UTF-8 rather than writing invalid JSON.
#include "admin/listing.h"

#include <nlohmann/json.hpp>

#include "protocol/text.h"

namespace chat::admin {
namespace {

std::string TableText(const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return "-";
  if (const auto* number = std::get_if<int64_t>(&value)) {
    return std::to_string(*number);
  }
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "yes" : "no";
  return protocol::SanitizeForTerminal(std::get<std::string>(value));
}

void WriteTableLine(std::FILE* out, std::span<const Column> columns,
                    std::span<const std::string> cells) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    line += cells[i];
    if (i + 1 == columns.size()) break;
    size_t width = static_cast<size_t>(columns[i].width);
    line.append(cells[i].size() < width ? width - cells[i].size() : 0, ' ');
    line += "  ";
  }
  line += '\n';
  std::fputs(line.c_str(), out);
}

}  // namespace

Value TimeOrNull(const store::Statement& row, int column) {
  if (row.IsNull(column)) return {};
  return store::FormatTime(row.Int(column));
}

Value TextOrNull(const store::Statement& row, int column) {
  if (row.IsNull(column)) return {};
  return row.Text(column);
}

Listing::Listing(std::FILE* out, bool json, std::span<const Column> columns)
    : out_(out), json_(json), columns_(columns) {
  if (json_) return;
  std::vector<std::string> headers;
  for (const Column& column : columns_) headers.emplace_back(column.header);
  WriteTableLine(out_, columns_, headers);
}

void Listing::Row(std::span<const Value> values) {
  if (!json_) {
    std::vector<std::string> cells;
    for (const Value& value : values) cells.push_back(TableText(value));
    WriteTableLine(out_, columns_, cells);
    return;
  }
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (size_t i = 0; i < columns_.size(); ++i) {
    std::string key(columns_[i].key);
    const Value& value = values[i];
    if (std::holds_alternative<std::monostate>(value)) {
      object[key] = nullptr;
    } else if (const auto* number = std::get_if<int64_t>(&value)) {
      object[key] = *number;
    } else if (const auto* flag = std::get_if<bool>(&value)) {
      object[key] = *flag;
    } else {
      object[key] = std::get<std::string>(value);
    }
  }
  std::string line =
      object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  std::fputs(line.c_str(), out_);
}

}  // namespace chat::admin
