// LineAssembler: turns a byte stream into protocol lines.
//
// Framing per PROTOCOL.md: a line ends at LF; a CR right before the LF is
// dropped; at most kMaxLineBytes bytes of content (LF and that CR not
// counted). A longer line is reported once, as soon as it is known to be too
// long, and its bytes are then thrown away up to and including its LF.
#ifndef CHAT_PROTOCOL_LINE_ASSEMBLER_H_
#define CHAT_PROTOCOL_LINE_ASSEMBLER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::protocol {

inline constexpr size_t kMaxLineBytes = 4096;

// Memory: of a line that is not finished, at most max_line_bytes + 2 bytes
// are ever kept (enough to prove it too long even when it might still end in
// CRLF); the rest of an over-long line is dropped as it arrives, so a peer
// sending an endless line costs bounded memory. Complete lines appended in one
// chunk are kept until Next() returns them, each cut to the same bound.
//
// Cost: amortised O(1) per byte. Next() never rescans bytes it already knows
// hold no LF, and consumed bytes are compacted away only when the buffer would
// otherwise grow and at least as many bytes are dead as alive.
class LineAssembler {
 public:
  enum class Status {
    kLine,      // *line holds the next line (no CR/LF); it may be empty
    kTooLong,   // the current line is over the limit; it is being discarded
    kNeedMore,  // no complete line buffered
  };

  explicit LineAssembler(size_t max_line_bytes = kMaxLineBytes);

  // Appends received bytes.
  void Append(std::string_view bytes);

  // Takes the next event. The view stays valid until the next Append() or
  // Next() call. Call until kNeedMore after each Append(). Empty lines are
  // returned as empty views (the protocol ignores them; the caller decides).
  Status Next(std::string_view* line);

  // Bytes buffered but not yet returned (an unfinished line).
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  // Drops consumed bytes before `incoming` more are appended, when cheap.
  void Compact(size_t incoming);
  // Whether the unterminated bytes after start_ already prove the line long.
  bool UnterminatedIsTooLong() const;

  size_t max_line_bytes_;
  size_t keep_bytes_;  // max_line_bytes_ + 2: what proves a line long
  std::string buffer_;
  size_t start_ = 0;         // first unconsumed byte of buffer_
  size_t scanned_ = 0;       // bytes after start_ known to hold no LF
  size_t tail_bytes_ = 0;    // stream bytes since the last LF, capped at
                             // keep_bytes_ (counts bytes already dropped)
  bool discarding_ = false;  // inside an over-long line already reported
};

}  // namespace chat::protocol

#endif  // CHAT_PROTOCOL_LINE_ASSEMBLER_H_
