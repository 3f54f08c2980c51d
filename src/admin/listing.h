// Listing: the rows a listing command prints, either as a table for people
// (a header line, then one line a row, columns padded to their widths,
// missing values as "-", text made safe for a terminal) or with --json as
// one JSON object a line for scripts (missing values as null).
//
// Rows are written as they come, never gathered: the audit log can be long.
// So columns have fixed widths, wide enough for the usual value; a longer
// one pushes the rest of its line right.
#ifndef CHAT_ADMIN_LISTING_H_
#define CHAT_ADMIN_LISTING_H_

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "store/database.h"

namespace chat::admin {

struct Column {
  std::string_view key;     // JSON member name
  std::string_view header;  // table heading
  int width;                // table column width (0: the last, unpadded)
};

// null, a number, a boolean, or text.
using Value = std::variant<std::monostate, int64_t, bool, std::string>;

// The column of `row` as a value: a time column as store::FormatTime
// prints it, text as it is; NULL as null.
Value TimeOrNull(const store::Statement& row, int column);
Value TextOrNull(const store::Statement& row, int column);

class Listing {
 public:
  // Writes the table's header at once (not in JSON).
  Listing(std::FILE* out, bool json, std::span<const Column> columns);

  // One row: a value per column, in the columns' order.
  void Row(std::span<const Value> values);

 private:
  std::FILE* out_;
  bool json_;
  std::span<const Column> columns_;
};

}  // namespace chat::admin

#endif  // CHAT_ADMIN_LISTING_H_
