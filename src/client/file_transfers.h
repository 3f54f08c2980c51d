// FileTransfers: the client's side of file transfer (PROTOCOL.md "File
// transfer", CLIENT.md /send /files /get /decline /cancel). It reads and
// writes files with libuv's thread-pool calls (fs_op.h), so the loop never
// waits on a disk; hashes with libsodium's SHA-256; sends at most the
// protocol's 256 KiB window ahead of the recipient's ACKs; and saves a
// received file under a temporary name, linked to its own name only once
// its size and SHA-256 match, never over an existing file.
//
// The Session hands it the file commands and the FILE lines; it sends
// through Requests, so that requests with an answer are matched to it in
// order and DATA/ACK (which get none) are not.
#ifndef CHAT_CLIENT_FILE_TRANSFERS_H_
#define CHAT_CLIENT_FILE_TRANSFERS_H_

#include <sodium.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/command_table.h"
#include "client/file_line.h"
#include "client/renderer.h"
#include "client/session.h"

namespace chat::client {

class FileTransfers : public FileHandler {
 public:
  struct Events {
    // A request that gets an answer (OFFER, ACCEPT, REJECT, END, CANCEL):
    // false when it could not be sent.
    std::function<bool(const std::string& request)> request;
    // DATA and ACK, which get none.
    std::function<void(std::string_view line)> send;
    std::function<void(const std::vector<std::string>& lines)> show;
    // The transfers in progress changed; progress bars may be redrawn and
    // a session waiting for busy() to end may go on.
    std::function<void()> changed;
  };

  FileTransfers(uv_loop_t* loop, std::string download_dir,
                const Renderer& renderer, Events events);
  FileTransfers(const FileTransfers&) = delete;
  FileTransfers& operator=(const FileTransfers&) = delete;
  ~FileTransfers() override;

  // FileHandler. busy(): a transfer of this user's is under way (reading,
  // offered, sending, receiving, saving); offers made to this user and not
  // taken do not count.
  void OnCommand(const Command& command) override;
  void OnPush(std::string_view line) override;
  bool OnAnswer(std::string_view subverb, std::string_view argument, bool ok,
                std::string_view phrase, std::string_view detail) override;
  bool busy() const override;

  // One progress line per transfer moving data, `width` columns at most.
  std::vector<std::string> ProgressLines(size_t width) const;
  // The session is over: unfinished received files are removed.
  void Close();

  // One transfer's state (file_transfer.h).
  struct Transfer;

 private:
  using TransferPtr = std::shared_ptr<Transfer>;

  // Sending (file_send.cc).
  void StartSend(const std::string& to, const std::string& path);
  void HashNext(const TransferPtr& transfer);
  void SendOffer(const TransferPtr& transfer);
  bool OnOfferAnswer(bool ok, std::string_view argument,
                     std::string_view phrase, std::string_view detail);
  void PumpData(const TransferPtr& transfer);
  void SendChunks(const TransferPtr& transfer, size_t bytes);

  // Receiving (file_receive.cc).
  void OnOffer(const FilePush& push);
  void Get(uint64_t id);
  void OnData(const TransferPtr& transfer, std::string_view base64);
  void WriteNext(const TransferPtr& transfer);
  void Verify(const TransferPtr& transfer);
  void LinkFinal(const TransferPtr& transfer, int attempt);

  // Common (file_transfers.cc).
  TransferPtr Find(uint64_t id) const;
  // The offer made to this user that `id` names, or nullptr with an error
  // shown.
  TransferPtr OfferToAnswer(uint64_t id);
  void Decline(uint64_t id);
  void Cancel(uint64_t id);
  void ListFiles();
  // The transfer ends; `message` is shown (if any) and its files are let go
  // (a partial download removed).
  void End(const TransferPtr& transfer, std::string message, bool error);
  // Closes the file and removes the temporary one once no call is in flight.
  void Release(const TransferPtr& transfer);
  // The callback for an fs call on `transfer`'s file: counts the call in
  // flight; once it is back, goes on with `then` unless the transfer is over
  // meanwhile (then lets the file go).
  std::function<void(ssize_t)> Guard(const TransferPtr& transfer,
                                     std::function<void(ssize_t)> then);
  // Stops a transfer on this side (FILE CANCEL) because of `message`.
  void Abandon(const TransferPtr& transfer, std::string message);
  std::string Describe(const Transfer& transfer) const;
  void Show(std::string line) { events_.show({std::move(line)}); }
  void ShowError(std::string line) { events_.show({renderer_.Error(line)}); }
  void ShowNotice(std::string line) { events_.show({renderer_.Notice(line)}); }
  void Changed();

  uv_loop_t* loop_;
  std::string download_dir_;
  const Renderer& renderer_;
  Events events_;
  bool closed_ = false;
  // Every transfer not over, by the server's id; ours get theirs with OK
  // FILE OFFER and wait in `unnumbered_` (reading, or offer sent) until then.
  std::map<uint64_t, TransferPtr> transfers_;
  std::vector<TransferPtr> unnumbered_;
  // Offers sent and not answered yet, oldest first (answers come in order).
  std::deque<TransferPtr> offers_sent_;
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_FILE_TRANSFERS_H_
