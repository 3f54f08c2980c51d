// File transfers, the broker's side (PROTOCOL.md "File transfer"): the open
// transfers, their checks (acceptance, size, window), timeouts, and the
// relaying of chunks from the sender's worker to the recipient's.
//
// The broker sees raw chunk bytes only: the sender's worker has decoded the
// Base64 (the broker never parses client bytes) and the recipient's encodes
// it again. Memory: a chunk is relayed as it comes and never kept, and the
// window (protocol::kFileWindow, sent minus acknowledged) bounds what a
// transfer can have anywhere between the two clients, so a transfer costs
// the same whatever the file's size. Acknowledgements are believed only up
// to what the recipient's worker has written towards its client (the worker
// clamps them), so a recipient that stops reading stops its sender.
//
// Like rooms and consent, this state is written by the broker alone, so a
// worker's death cannot leave it half changed; a side that leaves (QUIT,
// close, SIGKILL) ends its transfers with FILE ABORT to the other side.
#ifndef CHAT_SERVER_FILE_TRANSFER_H_
#define CHAT_SERVER_FILE_TRANSFER_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/channel.h"
#include "server/log.h"
#include "server/worker_table.h"

namespace chat::server {

class Consent;
class Relay;

struct FileLimits {
  std::chrono::seconds offer_timeout{300};
  std::chrono::seconds stall_timeout{60};
  uint32_t per_user = 4;  // open transfers a user is a side of
};

class FileTransfers {
 public:
  using Clock = std::chrono::steady_clock;

  FileTransfers(WorkerTable& table, Relay& relay, Consent& consent,
                const Log& log, FileLimits limits);

  // kFileRequest, kFileData, kFileAck and kFileAbort from worker `from`.
  void OnFrame(uint32_t from, const ipc::FrameView& frame);

  // Worker `index` left: its transfers end, the other sides told.
  void Forget(uint32_t index);

  // The earliest timeout, if any transfer is open; OnTimer ends those due.
  std::optional<Clock::time_point> next_due() const;
  void OnTimer(Clock::time_point now);

 private:
  struct Transfer {
    uint32_t id;
    uint32_t sender;
    uint32_t recipient;
    uint64_t size;
    bool accepted = false;
    uint64_t relayed = 0;
    uint64_t acked = 0;
    Clock::time_point due;  // offer timeout, then stall timeout
  };

  void Request(uint32_t from, const ipc::FrameView& frame);
  void Offer(uint32_t from, const ipc::FrameView& frame);
  void Data(uint32_t from, const ipc::FrameView& frame);
  void Ack(uint32_t from, const ipc::FrameView& frame);

  Transfer* Find(uint32_t id);
  uint32_t OpenCount(uint32_t index) const;
  // Ends `transfer`: each side gets its kFileClose ("A" + its line, which
  // may be empty; the recipient's `recipient_mode` may be 'E').
  void Close(uint32_t id, std::string_view sender_line,
             std::string_view recipient_line, char recipient_mode = 'A');
  // FILE ABORT <id> <reason> to both sides.
  void Abort(uint32_t id, std::string_view reason);
  void LogEvent(const Transfer& transfer, std::string_view what);

  WorkerTable& table_;
  Relay& relay_;
  Consent& consent_;
  const Log& log_;
  const FileLimits limits_;
  uint32_t next_id_ = 1;
  // Few at once (at most per_user per user): searched linearly.
  std::vector<Transfer> transfers_;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_FILE_TRANSFER_H_
