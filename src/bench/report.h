// Report: what one benchmark run measured, printed either as a readable table
// or as one JSON line (for scripts such as tests/bench/run-bench.sh).
#ifndef CHAT_BENCH_REPORT_H_
#define CHAT_BENCH_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat::bench {

using Value = std::variant<int64_t, double, std::string>;

struct Field {
  std::string key;  // JSON key and table row name, e.g. "p50_us"
  Value value;
  std::string help;  // table only, e.g. "round trip, median"
};

struct Report {
  std::string scenario;  // rtt, fanout, churn, hold
  std::string dialect;   // chat or irc
  std::string label;     // free tag from --label (may be empty)
  std::string target;    // host:port
  std::vector<Field> params;
  std::vector<Field> figures;
  // What should have arrived, what did, and the difference (with sessions
  // that should have stayed and did not): `lost` must be 0.
  int64_t expected = 0;
  int64_t received = 0;
  int64_t lost = 0;
  int64_t errors = 0;     // protocol errors: ERR lines, malformed lines
  bool completed = true;  // false: a phase ran out of time
  bool refused = false;   // the server refused users for its limits
  std::vector<std::string> problems;  // first few errors, for humans

  void Param(std::string key, Value value, std::string help = {});
  void Figure(std::string key, Value value, std::string help = {});
  bool ok() const { return completed && lost == 0 && errors == 0; }
};

// One line, no LF: {"scenario":"rtt","dialect":"chat",...,"ok":true}.
std::string FormatJson(const Report& report);

// Several lines, each ending in LF.
std::string FormatTable(const Report& report);

// The text of a JSON string literal for `text`, quotes included.
std::string JsonString(std::string_view text);

// A value as JSON shows it: integers plain, reals with up to 3 decimals,
// strings quoted.
std::string JsonValue(const Value& value);

}  // namespace chat::bench

#endif  // CHAT_BENCH_REPORT_H_
