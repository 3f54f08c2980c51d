// Receiving a file: /get makes a temporary file in the download directory
// and accepts; each chunk is decoded, hashed and written, and acknowledged
// once written; at FILE END the size and SHA-256 decide whether the file is
// linked under its own name (never over an existing file) or removed.
#include <fcntl.h>

#include "client/file_transfer.h"
#include "client/file_transfers.h"
#include "client/fs_op.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

using State = FileTransfers::Transfer::State;

// How many " (n)" names are tried before giving up.
constexpr int kMaxNameAttempts = 1000;

std::string RandomHex() {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

}  // namespace

void FileTransfers::OnOffer(const FilePush& push) {
  if (transfers_.contains(push.id)) return;
  auto transfer = std::make_shared<Transfer>();
  transfer->state = State::kIncoming;
  transfer->id = push.id;
  transfer->peer = push.from;
  transfer->name = push.name;
  transfer->size = push.size;
  transfer->sha256 = push.sha256;
  transfers_[push.id] = transfer;
  const std::string id = std::to_string(push.id);
  ShowNotice(push.from + " offers " + protocol::SanitizeForTerminal(push.name) +
             " (" + HumanSize(push.size) + "): /get " + id + " or /decline " +
             id);
  Changed();
}

void FileTransfers::Get(uint64_t id) {
  const TransferPtr transfer = OfferToAnswer(id);
  if (transfer == nullptr) return;
  transfer->state = State::kAccepting;
  crypto_hash_sha256_init(&transfer->hash);
  // A hidden name in the download directory, so the file is on the same
  // file system as its final name (link(2) needs that) and nobody mistakes
  // it for a finished download. O_EXCL: never an existing file.
  transfer->path = download_dir_ + "/.chat-download-" + std::to_string(id) +
                   "-" + RandomHex();
  fs::Open(
      loop_, transfer->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666,
      Guard(transfer, [this, transfer](ssize_t result) {
        if (result < 0) {
          transfer->path.clear();  // nothing was made
          transfer->state = State::kIncoming;
          ShowError("Cannot save files in " + download_dir_ + ": " +
                    uv_strerror(static_cast<int>(result)) +
                    "; the offer stays open (/get " +
                    std::to_string(transfer->id) + " or /decline " +
                    std::to_string(transfer->id) + ")");
          Changed();
          return;
        }
        transfer->fd = static_cast<uv_file>(result);
        if (!events_.request("FILE ACCEPT " + std::to_string(transfer->id))) {
          End(transfer, "", true);
        }
        Changed();
      }));
  Changed();
}

void FileTransfers::OnData(const TransferPtr& transfer,
                           std::string_view base64) {
  if (transfer->state != State::kReceiving &&
      transfer->state != State::kAccepting) {
    return;
  }
  char chunk[kMaxFileChunk];
  const std::optional<size_t> decoded =
      protocol::DecodeFileChunk(base64, chunk);
  if (!decoded) {
    Abandon(transfer, "Stopped receiving " + Describe(*transfer) +
                          ": a chunk was not valid Base64");
    return;
  }
  const size_t length = *decoded;
  if (transfer->received + length > transfer->size) {
    Abandon(transfer, "Stopped receiving " + Describe(*transfer) +
                          ": more data came than the offer said");
    return;
  }
  crypto_hash_sha256_update(
      &transfer->hash, reinterpret_cast<const unsigned char*>(chunk), length);
  transfer->received += length;
  transfer->to_write.append(chunk, length);
  WriteNext(transfer);
}

void FileTransfers::WriteNext(const TransferPtr& transfer) {
  if (transfer->writing) return;
  if (transfer->to_write.empty()) {
    if (transfer->end_seen) Verify(transfer);
    return;
  }
  // Chunks that arrive while a write is out are written together next.
  transfer->writing = true;
  const uint64_t length = transfer->to_write.size();
  std::string bytes;
  bytes.swap(transfer->to_write);
  fs::Write(loop_, transfer->fd, std::move(bytes),
            static_cast<int64_t>(transfer->written),
            Guard(transfer, [this, transfer, length](ssize_t result) {
              transfer->writing = false;
              if (result < 0) {
                Abandon(transfer, "Stopped receiving " + Describe(*transfer) +
                                      ": cannot write: " +
                                      uv_strerror(static_cast<int>(result)));
                return;
              }
              transfer->written += length;
              if (transfer->state == State::kReceiving) {
                events_.send("FILE ACK " + std::to_string(transfer->id) + " " +
                             std::to_string(transfer->written));
              }
              Changed();
              WriteNext(transfer);
            }));
}

void FileTransfers::Verify(const TransferPtr& transfer) {
  if (transfer->state != State::kReceiving) return;
  transfer->state = State::kSaving;
  if (transfer->written != transfer->size) {
    End(transfer,
        "Not kept: " + Describe(*transfer) + " ended after " +
            std::to_string(transfer->written) + " of " +
            std::to_string(transfer->size) + " bytes",
        true);
    return;
  }
  if (transfer->sha256 != FinalHex(&transfer->hash)) {
    End(transfer,
        "Not kept: " + Describe(*transfer) +
            " arrived with a different SHA-256 than offered",
        true);
    return;
  }
  // On disk before it gets its name: a saved file is a whole file.
  fs::Fsync(loop_, transfer->fd, Guard(transfer, [this, transfer](ssize_t) {
              LinkFinal(transfer, 0);
            }));
}

void FileTransfers::LinkFinal(const TransferPtr& transfer, int attempt) {
  // link(2) fails with EEXIST instead of replacing: an existing file is
  // never overwritten, whoever made it and whenever.
  const std::string target =
      download_dir_ + "/" + NumberedName(SafeFileName(transfer->name), attempt);
  fs::Link(loop_, transfer->path, target,
           Guard(transfer, [this, transfer, attempt, target](ssize_t result) {
             if (result == UV_EEXIST && attempt + 1 < kMaxNameAttempts) {
               LinkFinal(transfer, attempt + 1);
               return;
             }
             if (result < 0) {
               End(transfer,
                   "Not kept: " + Describe(*transfer) + ": cannot save as " +
                       target + ": " + uv_strerror(static_cast<int>(result)),
                   true);
               return;
             }
             transfer->saved_as = target;
             End(transfer,
                 "Received " + Describe(*transfer) + ": saved as " +
                     protocol::SanitizeForTerminal(target) + " (" +
                     HumanSize(transfer->size) + ", SHA-256 checked)",
                 false);
           }));
}

}  // namespace chat::client
