// Progress: a status line on stderr while a long run goes on, so an operator
// sees that 10,000 connections are being made rather than a silent hang.
// Short runs print nothing.
#ifndef CHAT_BENCH_PROGRESS_H_
#define CHAT_BENCH_PROGRESS_H_

#include <cstdint>
#include <functional>
#include <string>

namespace chat::bench {

class Progress {
 public:
  // Lines start once the run is older than 2 s; then one a second on a
  // terminal (rewritten in place), one every 5 s otherwise.
  explicit Progress(bool enabled);
  ~Progress() { Finish(); }

  // What the line says now, e.g. "hold: 5231/10000 registered".
  void SetStatus(std::function<std::string()> status) {
    status_ = std::move(status);
  }
  // Called often; prints only when a line is due.
  void Tick(int64_t now_ns) {
    if (enabled_ && now_ns >= next_ns_) Print(now_ns);
  }
  // Ends a line rewritten in place.
  void Finish();

 private:
  void Print(int64_t now_ns);

  bool enabled_;
  bool tty_;
  bool open_line_ = false;
  int64_t start_ns_;
  int64_t next_ns_;
  std::function<std::string()> status_;
};

// Sets a Progress status for a scope and clears it (ending the line) when
// the scope ends, so the status never outlives what it reads.
class ScopedStatus {
 public:
  ScopedStatus(Progress* progress, std::function<std::string()> status)
      : progress_(progress) {
    progress_->SetStatus(std::move(status));
  }
  ~ScopedStatus() {
    progress_->SetStatus(nullptr);
    progress_->Finish();
  }
  ScopedStatus(const ScopedStatus&) = delete;
  ScopedStatus& operator=(const ScopedStatus&) = delete;

 private:
  Progress* progress_;
};

}  // namespace chat::bench

#endif  // CHAT_BENCH_PROGRESS_H_
