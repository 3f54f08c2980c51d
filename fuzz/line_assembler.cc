// Fuzz target: the worker's first contact with a client's bytes. The stream
// is cut into chunks as read(2) might return them and fed to the line
// assembler, whose events are checked against a plain model of PROTOCOL.md's
// framing; every line is then handled as src/server/session.cc does
// (IsValidText, then ParseRequest) and the answer formatted.
#include "protocol/line_assembler.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz/check.h"
#include "protocol/reply.h"
#include "protocol/request.h"
#include "protocol/text.h"

namespace {

using chat::fuzz::Check;

using chat::protocol::LineAssembler;

struct Event {
  LineAssembler::Status status;
  std::string line;
  bool operator==(const Event&) const = default;
};

// PROTOCOL.md's framing, spelled out: a line ends at LF, one CR before it
// is dropped, and a line longer than the limit is one kTooLong.
std::vector<Event> Model(std::string_view stream, size_t max,
                         std::string_view* tail) {
  std::vector<Event> events;
  size_t lf;
  while ((lf = stream.find('\n')) != std::string_view::npos) {
    std::string_view line = stream.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max) {
      events.push_back({LineAssembler::Status::kTooLong, ""});
    } else {
      events.push_back({LineAssembler::Status::kLine, std::string(line)});
    }
    stream.remove_prefix(lf + 1);
  }
  *tail = stream;
  return events;
}

// What the session does with one line: the answer it would write.
void Handle(std::string_view line) {
  if (line.empty()) return;
  if (!chat::protocol::IsValidText(line)) return;
  auto parsed = chat::protocol::ParseRequest(line);
  if (auto* error = std::get_if<chat::protocol::RequestError>(&parsed)) {
    std::string answer =
        chat::protocol::FormatError(error->code, error->detail);
    Check(!answer.empty() && answer.back() == '\n');
    Check(answer.find('\n') == answer.size() - 1);
    return;
  }
  const auto& request = std::get<chat::protocol::Request>(parsed);
  // Every view points into the line.
  for (std::string_view part :
       {request.name, request.text, request.password, request.new_password}) {
    if (part.empty()) continue;
    Check(part.data() >= line.data() &&
          part.data() + part.size() <= line.data() + line.size());
  }
  Check(!chat::protocol::VerbName(request.verb).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  // A small limit reaches the over-long paths with short inputs; the real
  // one is kept for a quarter of the runs.
  size_t max = input.ConsumeBool() ? input.ConsumeIntegralInRange<size_t>(0, 40)
                                   : chat::protocol::kMaxLineBytes;
  std::vector<std::string> chunks;
  std::string stream;
  while (input.remaining_bytes() > 0) {
    size_t length = input.ConsumeIntegralInRange<size_t>(1, 64);
    chunks.push_back(input.ConsumeBytesAsString(length));
    stream += chunks.back();
  }

  LineAssembler assembler(max);
  std::vector<Event> events;
  for (const std::string& chunk : chunks) {
    assembler.Append(chunk);
    std::string_view line;
    for (;;) {
      LineAssembler::Status status = assembler.Next(&line);
      if (status == LineAssembler::Status::kNeedMore) break;
      if (status == LineAssembler::Status::kLine) {
        Check(line.size() <= max);
        Check(line.find('\n') == std::string_view::npos);
        Handle(line);
        events.push_back({status, std::string(line)});
      } else {
        events.push_back({status, ""});
      }
    }
    // Bounded memory: never more than an unfinished line's proof.
    Check(assembler.buffered() <= max + 2);
  }

  std::string_view tail;
  std::vector<Event> expected = Model(stream, max, &tail);
  // An unfinished line already known to be too long has been reported.
  if (events.size() == expected.size() + 1) {
    Check(events.back().status == LineAssembler::Status::kTooLong);
    Check(tail.size() > max);
    events.pop_back();
  } else {
    Check(tail.size() <= max + 1);
  }
  Check(events == expected);
  return 0;
}
