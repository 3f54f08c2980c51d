// file: --users pairs of users, each sender offering its receiver a file of
// --messages MiB, all at once; receivers accept, acknowledge every 64 KiB,
// and the run ends when every FILE END has arrived. The figure is the MiB/s
// that went through the server (one transfer, or several at once), with the
// protocol's 256 KiB window and 3000-byte chunks as any client has them.
#include <algorithm>
#include <string>
#include <vector>

#include "bench/clock.h"
#include "bench/scenario.h"
#include "protocol/file_request.h"

namespace chat::bench {
namespace {

enum Role { kSender, kReceiver };

constexpr int64_t kChunk = 3000;
constexpr int64_t kWindow = 256 * 1024;
constexpr int64_t kAckEvery = 64 * 1024;
constexpr int64_t kMiB = 1024 * 1024;
// The server relays chunks without checking the hash; the receivers here do
// not check it either (the tests do). Chunks are made with the protocol's
// own encoder (protocol/file_request.h, libsodium).
const std::string kSha(64, '0');

// Raw bytes a Base64 text carries.
int64_t RawLength(std::string_view text) {
  int64_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  return static_cast<int64_t>(text.size()) / 4 * 3 - padding;
}

class FileRun : public ClientHandler {
 public:
  explicit FileRun(const RunContext& context) : context_(context) {}

  Report Run();
  void OnEvent(int id, const Event& event) override;

 private:
  struct Side {
    std::string transfer;              // the id, once known
    std::string full_line, last_line;  // sender: its DATA lines
    int64_t sent = 0;                  // sender: raw bytes sent
    int64_t acked = 0;     // sender: acknowledged; receiver: acknowledged
    int64_t received = 0;  // receiver
    bool accepted = false;
    bool ended = false;
  };
  void Pump(int id);

  const RunContext& context_;
  ClientPool* pool_ = nullptr;
  int64_t size_ = 0;
  std::string raw_;  // one chunk's bytes, sent over and over
  std::vector<Side> sides_;
  int64_t ended_ = 0;
  int64_t aborted_ = 0;
};

void FileRun::Pump(int id) {
  Side& side = sides_[id];
  std::string* out = pool_->Out(id);
  while (side.sent < size_ && side.sent - side.acked + kChunk <= kWindow) {
    int64_t length = std::min(kChunk, size_ - side.sent);
    out->append(length == kChunk ? side.full_line : side.last_line);
    side.sent += length;
    if (side.sent == size_) out->append("FILE END " + side.transfer + "\n");
  }
  pool_->Flush(id);
}

void FileRun::OnEvent(int id, const Event& event) {
  Client& c = pool_->client(id);
  Side& side = sides_[id];
  if (event.kind == EventKind::kError) return;  // counted by the pool
  if (event.kind == EventKind::kAck && event.from == "FILE") {
    if (event.text.starts_with("OFFER ")) side.transfer = event.text.substr(6);
    return;  // OK FILE OFFER / ACCEPT / END
  }
  if (event.kind != EventKind::kFile) {
    pool_->CountError(id, "unexpected line: " + std::string(event.text));
    return;
  }
  std::string_view line = event.text;
  if (line.starts_with("FILE ABORT ")) {
    ++aborted_;
    pool_->CountError(id, std::string(line));
    return;
  }
  if (c.role == kReceiver && line.starts_with("FILE DATA ")) {
    std::string_view rest = line.substr(10);
    rest.remove_prefix(std::min(rest.size(), rest.find(' ') + 1));
    side.received += RawLength(rest);
    if (side.received - side.acked >= kAckEvery || side.received == size_) {
      side.acked = side.received;
      pool_->Out(id)->append("FILE ACK " + side.transfer + " " +
                             std::to_string(side.received) + "\n");
      pool_->Flush(id);
    }
  } else if (c.role == kReceiver && line.starts_with("FILE OFFER ")) {
    // FILE OFFER <from> <id> <size> <sha256> <filename>
    std::string_view rest = line.substr(11);
    rest.remove_prefix(rest.find(' ') + 1);
    side.transfer = rest.substr(0, rest.find(' '));
    pool_->Out(id)->append("FILE ACCEPT " + side.transfer + "\n");
    pool_->Flush(id);
  } else if (c.role == kReceiver && line.starts_with("FILE END ")) {
    side.ended = true;
    ++ended_;
  } else if (c.role == kSender && line.starts_with("FILE ACCEPT ")) {
    side.accepted = true;
    const auto id_number = static_cast<uint32_t>(std::stoul(side.transfer));
    protocol::AppendFileDataPush(id_number, raw_, &side.full_line);
    protocol::AppendFileDataPush(
        id_number,
        std::string_view(raw_).substr(
            0, size_ % kChunk == 0 ? kChunk : size_ % kChunk),
        &side.last_line);
    Pump(id);
  } else if (c.role == kSender && line.starts_with("FILE ACK ")) {
    std::string_view bytes = line.substr(line.rfind(' ') + 1);
    side.acked = std::stoll(std::string(bytes));
    Pump(id);
  } else {
    pool_->CountError(id, "unexpected line: " + std::string(line));
  }
}

Report FileRun::Run() {
  const Options& options = context_.options;
  Report report = NewReport(context_);
  size_ = options.messages * kMiB;
  report.Param("transfers", options.users, "at once, each its own pair");
  report.Param("file_mib", options.messages, "MiB per file");
  SettleServer(context_, &report);
  raw_.assign(kChunk, '\0');
  for (int64_t i = 0; i < kChunk; ++i) raw_[i] = static_cast<char>(i * 131);

  ClientPool pool = MakePool(context_, this);
  pool_ = &pool;
  if (!PoolUsable(pool, &report)) return report;
  const std::string tag = RunTag();
  const int64_t timeout = SecondsToNs(options.timeout);
  ScopedStatus status(context_.progress, [&] {
    return "file: " + std::to_string(ended_) + "/" +
           std::to_string(options.users) + " transfers done";
  });
  bool all = ConnectUsers(&pool, options.users, 'r', kReceiver, tag, false,
                          NowNs() + timeout);
  all = ConnectUsers(&pool, options.users, 's', kSender, tag, false,
                     NowNs() + timeout) &&
        all;
  sides_.assign(pool.size(), Side{});
  if (!all) {
    MarkIncomplete("not every user could register", &report);
    AddPoolOutcome(pool, &report);
    return report;
  }
  AwaitAnnouncements(&pool, PairwiseAnnouncements(2 * options.users),
                     NowNs() + timeout, &report);

  CpuMeter meter(options.server_pid);
  meter.Start();
  const int64_t start = NowNs();
  int64_t pair = 0;
  for (size_t id = 0; id < pool.size(); ++id) {
    Client& c = pool.client(static_cast<int>(id));
    if (c.role != kSender || c.state != ClientState::kReady) continue;
    pool.Out(static_cast<int>(id))
        ->append("FILE OFFER " + UserName('r', tag, pair++) + " " +
                 std::to_string(size_) + " " + kSha + " bench.bin\n");
    pool.Flush(static_cast<int>(id));
  }
  bool finished = pool.RunUntil(
      [&] { return ended_ + aborted_ >= options.users; }, start + timeout);
  const double seconds = NsToSeconds(NowNs() - start);
  meter.Stop(&report);
  if (!finished) MarkIncomplete("transfers unfinished at --timeout", &report);
  int64_t bytes = 0;
  for (const Side& side : sides_) bytes += side.received;
  report.Figure("seconds", seconds, "from the offers to the last FILE END");
  report.Figure("mib_per_s", static_cast<double>(bytes) / kMiB / seconds,
                "file bytes through the server, all transfers together");
  report.Figure("aborted", aborted_);
  CountDeliveries(options.users * size_, bytes, &report);
  AddPoolOutcome(pool, &report);
  return report;
}

}  // namespace

Report RunFile(const RunContext& context) {
  FileRun run(context);
  return run.Run();
}

}  // namespace chat::bench
