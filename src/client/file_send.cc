// Sending a file: read it once for its size and SHA-256, offer it, and once
// accepted send it in Base64 chunks, never more than the window ahead of
// the recipient's ACKs, then FILE END.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "client/file_transfer.h"
#include "client/file_transfers.h"
#include "client/fs_op.h"

namespace chat::client {
namespace {

using State = FileTransfers::Transfer::State;

// Bytes read per call: sixteen chunks, so each read fills sixteen lines.
constexpr size_t kReadBytes = 16 * kMaxFileChunk;
// Hashing reads bigger pieces: nothing waits on them but the offer.
constexpr size_t kHashReadBytes = 256 * 1024;

}  // namespace

void FileTransfers::StartSend(const std::string& to, const std::string& path) {
  auto transfer = std::make_shared<Transfer>();
  transfer->outgoing = true;
  transfer->state = State::kHashing;
  transfer->peer = to;
  // "~/x" as a shell would read it: users type paths as they know them.
  const char* home = std::getenv("HOME");
  transfer->path = path.starts_with("~/") && home != nullptr && home[0] != 0
                       ? std::string(home) + path.substr(1)
                       : path;
  transfer->name = OfferName(transfer->path);
  unnumbered_.push_back(transfer);
  crypto_hash_sha256_init(&transfer->hash);
  Changed();
  fs::Open(loop_, transfer->path, O_RDONLY | O_CLOEXEC, 0,
           Guard(transfer, [this, transfer](ssize_t result) {
             if (result < 0) {
               End(transfer,
                   "Cannot send " + transfer->path + ": " +
                       uv_strerror(static_cast<int>(result)),
                   true);
               return;
             }
             transfer->fd = static_cast<uv_file>(result);
             ++transfer->in_flight;
             fs::Fstat(loop_, transfer->fd,
                       [this, transfer](ssize_t status, const uv_stat_t& st) {
                         --transfer->in_flight;
                         if (transfer->state == State::kOver) {
                           Release(transfer);
                         } else if (status < 0 || !S_ISREG(st.st_mode)) {
                           End(transfer,
                               "Cannot send " + transfer->path +
                                   ": not a regular file",
                               true);
                         } else {
                           HashNext(transfer);
                         }
                       });
           }));
}

void FileTransfers::HashNext(const TransferPtr& transfer) {
  // `sent` counts the bytes hashed until the offer goes out.
  transfer->buffer.resize(kHashReadBytes);
  fs::Read(loop_, transfer->fd, &transfer->buffer,
           static_cast<int64_t>(transfer->sent),
           Guard(transfer, [this, transfer](ssize_t result) {
             if (result < 0) {
               End(transfer,
                   "Cannot read " + transfer->path + ": " +
                       uv_strerror(static_cast<int>(result)),
                   true);
               return;
             }
             if (result > 0) {
               crypto_hash_sha256_update(&transfer->hash,
                                         reinterpret_cast<const unsigned char*>(
                                             transfer->buffer.data()),
                                         static_cast<size_t>(result));
               transfer->sent += static_cast<uint64_t>(result);
               HashNext(transfer);
               return;
             }
             // The end of the file: what was read is what is offered.
             transfer->size = transfer->sent;
             transfer->sent = 0;
             transfer->sha256 = FinalHex(&transfer->hash);
             transfer->buffer.clear();
             transfer->buffer.shrink_to_fit();
             SendOffer(transfer);
           }));
}

void FileTransfers::SendOffer(const TransferPtr& transfer) {
  const std::string offer = "FILE OFFER " + transfer->peer + " " +
                            std::to_string(transfer->size) + " " +
                            transfer->sha256 + " " + transfer->name;
  if (!events_.request(offer)) {
    End(transfer, "", true);  // the session said why
    return;
  }
  transfer->state = State::kOffering;
  offers_sent_.push_back(transfer);
}

bool FileTransfers::OnOfferAnswer(bool ok, std::string_view argument,
                                  std::string_view phrase,
                                  std::string_view detail) {
  if (offers_sent_.empty()) return false;  // an offer typed with /quote
  const TransferPtr transfer = offers_sent_.front();
  offers_sent_.pop_front();
  if (!ok) {
    std::string why;
    if (phrase == "Unknown Recipient") {
      why = transfer->peer + " is not online";
    } else if (phrase == "Not Accepted") {
      why = transfer->peer +
            " takes files only from users they accepted (/invite " +
            transfer->peer + ")";
    } else if (phrase == "File Too Large") {
      why = "the server takes files of at most " +
            (detail.empty() ? std::string("its --max-file-size")
                            : std::string(detail));
    } else if (phrase == "Too Many Transfers") {
      why = "too many transfers are open; wait for one to end";
    } else {
      why = std::string(phrase) +
            (detail.empty() ? "" : ": " + std::string(detail));
    }
    End(transfer, "Not sent: " + Describe(*transfer) + ": " + why, true);
    return true;
  }
  // "OK FILE OFFER <id>": the id is what follows the sub-verb.
  uint64_t id = 0;
  for (char c : argument) {
    if (c < '0' || c > '9' || id > UINT64_MAX / 10) {
      id = 0;
      break;
    }
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  if (id == 0 || transfers_.contains(id)) {
    Abandon(transfer, "The server gave the offer of " + Describe(*transfer) +
                          " no usable id");
    return true;
  }
  transfer->id = id;
  transfer->state = State::kOffered;
  std::erase(unnumbered_, transfer);
  transfers_[id] = transfer;
  ShowNotice("Offered " + Describe(*transfer) + " (" +
             HumanSize(transfer->size) + ") as transfer " + std::to_string(id) +
             "; waiting for " + transfer->peer + " to accept (/cancel " +
             std::to_string(id) + " withdraws it)");
  Changed();
  return true;
}

void FileTransfers::PumpData(const TransferPtr& transfer) {
  if (transfer->state != State::kSending || transfer->reading) return;
  if (transfer->sent == transfer->size) {
    if (events_.request("FILE END " + std::to_string(transfer->id))) {
      transfer->state = State::kEnding;
    }
    return;
  }
  // The window counts raw bytes sent and not acknowledged.
  const uint64_t room = kFileWindow - (transfer->sent - transfer->acked);
  uint64_t want = std::min<uint64_t>(
      {transfer->size - transfer->sent, room, uint64_t{kReadBytes}});
  if (want < transfer->size - transfer->sent) {
    want -= want % kMaxFileChunk;  // whole chunks, except the last
  }
  if (want == 0) return;  // the next ACK makes room
  transfer->reading = true;
  transfer->buffer.resize(want);
  fs::Read(loop_, transfer->fd, &transfer->buffer,
           static_cast<int64_t>(transfer->sent),
           Guard(transfer, [this, transfer](ssize_t result) {
             transfer->reading = false;
             if (transfer->state != State::kSending) return;  // cancelled
             if (result <= 0) {
               Abandon(
                   transfer,
                   "Stopped sending " + Describe(*transfer) + ": " +
                       (result == 0 ? std::string("the file got shorter")
                                    : uv_strerror(static_cast<int>(result))));
               return;
             }
             SendChunks(transfer, static_cast<size_t>(result));
             PumpData(transfer);
           }));
}

void FileTransfers::SendChunks(const TransferPtr& transfer, size_t bytes) {
  std::string line;
  for (size_t at = 0; at < bytes; at += kMaxFileChunk) {
    const size_t length = std::min(kMaxFileChunk, bytes - at);
    // A request has the form of the push the recipient gets.
    line.clear();
    protocol::AppendFileDataPush(
        static_cast<uint32_t>(transfer->id),
        std::string_view(transfer->buffer.data() + at, length), &line);
    line.pop_back();  // its LF: the connection adds one
    events_.send(line);
  }
  transfer->sent += bytes;
}

}  // namespace chat::client
