// FileTransfers: the commands, the dispatch of FILE pushes and answers, the
// end of a transfer and what it leaves on disk, /files and progress lines.
// Sending is in file_send.cc, receiving in file_receive.cc.
#include "client/file_transfers.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "client/file_transfer.h"
#include "client/fs_op.h"
#include "protocol/text.h"

namespace chat::client {
namespace {

using State = FileTransfers::Transfer::State;

uint64_t ParseId(std::string_view text) {
  uint64_t id = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), id);
  return ec == std::errc{} && end == text.data() + text.size() ? id : 0;
}

// What each ABORT reason (PROTOCOL.md) means, for the user.
std::string AbortExplained(std::string_view reason, bool outgoing) {
  if (reason == "Cancelled") return "the other side cancelled it";
  if (reason == "Sender Left") return "the sender left";
  if (reason == "Recipient Left") return "the recipient left";
  if (reason == "Offer Timeout") return "the offer was not answered in time";
  if (reason == "Data Before Accept") return "data came before the accept";
  if (reason == "Invalid Base64") return "a chunk was not valid Base64";
  if (reason == "Past Size") return "more data came than the offer said";
  if (reason == "Window Exceeded") {
    return outgoing ? "this client sent too far ahead of the acknowledgements"
                    : "the sender went past the flow-control window";
  }
  if (reason == "Stalled") return "nothing moved for too long";
  if (reason == "Incomplete") return "it ended before all the data came";
  return "";
}

}  // namespace

FileTransfers::FileTransfers(uv_loop_t* loop, std::string download_dir,
                             const Renderer& renderer, Events events)
    : loop_(loop),
      download_dir_(std::move(download_dir)),
      renderer_(renderer),
      events_(std::move(events)) {
  // libsodium (already used for passwords on the server side) gives the
  // SHA-256 and the Base64 the protocol needs; sodium_init is idempotent.
  if (sodium_init() < 0) {
    std::fprintf(stderr, "chat-client: libsodium could not start\n");
    std::abort();
  }
}

FileTransfers::~FileTransfers() = default;

void FileTransfers::OnCommand(const Command& command) {
  const uint64_t id = ParseId(command.name);
  switch (command.action) {
    case Action::kSendFile:
      StartSend(command.name, command.text);
      return;
    case Action::kFiles:
      ListFiles();
      return;
    case Action::kGetFile:
      Get(id);
      return;
    case Action::kDeclineFile:
      Decline(id);
      return;
    case Action::kCancelFile:
      Cancel(id);
      return;
    default:
      return;
  }
}

FileTransfers::TransferPtr FileTransfers::Find(uint64_t id) const {
  const auto it = transfers_.find(id);
  return it == transfers_.end() ? nullptr : it->second;
}

void FileTransfers::OnPush(std::string_view line) {
  const std::optional<FilePush> push = ParseFilePush(line);
  if (!push) {
    events_.show({renderer_.Unknown(line)});
    return;
  }
  if (push->kind == FilePush::Kind::kOffer) {
    OnOffer(*push);
    return;
  }
  const TransferPtr transfer = Find(push->id);
  // Lines for a transfer already over here (cancelled, failed) may still be
  // on their way: nothing to do with them.
  if (transfer == nullptr) return;
  switch (push->kind) {
    case FilePush::Kind::kAccept:
      if (!transfer->outgoing || transfer->state != State::kOffered) return;
      transfer->state = State::kSending;
      transfer->started = std::chrono::steady_clock::now();
      ShowNotice(transfer->peer + " accepted " +
                 protocol::SanitizeForTerminal(transfer->name) + "; sending");
      PumpData(transfer);
      Changed();
      return;
    case FilePush::Kind::kReject:
      if (!transfer->outgoing) return;
      End(transfer,
          transfer->peer + " declined " +
              protocol::SanitizeForTerminal(transfer->name),
          false);
      return;
    case FilePush::Kind::kAck:
      if (!transfer->outgoing || push->size < transfer->acked ||
          push->size > transfer->sent) {
        return;
      }
      transfer->acked = push->size;
      PumpData(transfer);
      Changed();
      return;
    case FilePush::Kind::kData:
      if (transfer->outgoing) return;
      OnData(transfer, push->data);
      return;
    case FilePush::Kind::kEnd:
      if (transfer->outgoing || transfer->state != State::kReceiving) return;
      transfer->end_seen = true;
      WriteNext(transfer);
      return;
    case FilePush::Kind::kAbort: {
      const std::string why = AbortExplained(push->reason, transfer->outgoing);
      End(transfer,
          "Transfer " + std::to_string(transfer->id) + " (" +
              Describe(*transfer) + ") aborted: " + push->reason +
              (why.empty() ? "" : " (" + why + ")"),
          true);
      return;
    }
    case FilePush::Kind::kOffer:
      return;
  }
}

bool FileTransfers::OnAnswer(std::string_view subverb,
                             std::string_view argument, bool ok,
                             std::string_view phrase, std::string_view detail) {
  const std::string failure =
      std::string(phrase) + (detail.empty() ? "" : ": " + std::string(detail));
  if (subverb == "OFFER") return OnOfferAnswer(ok, argument, phrase, detail);
  const TransferPtr transfer = Find(ParseId(argument));
  // Over already (an ABORT came first): an OK needs no word, an error is
  // shown by the session.
  if (transfer == nullptr) return ok;
  if (subverb == "ACCEPT") {
    if (!ok) {
      End(transfer, "Could not accept " + Describe(*transfer) + ": " + failure,
          true);
      return true;
    }
    if (transfer->state != State::kAccepting) return true;
    transfer->state = State::kReceiving;
    transfer->started = std::chrono::steady_clock::now();
    ShowNotice("Receiving " + Describe(*transfer) + " (" +
               HumanSize(transfer->size) + ")");
    Changed();
  } else if (subverb == "REJECT") {
    End(transfer,
        ok ? "Declined " + Describe(*transfer)
           : "Could not decline " + Describe(*transfer) + ": " + failure,
        !ok);
  } else if (subverb == "END") {
    End(transfer,
        ok ? "Sent " + Describe(*transfer) + " (" + HumanSize(transfer->size) +
                 ")"
           : "Could not finish " + Describe(*transfer) + ": " + failure,
        !ok);
  } else if (subverb == "CANCEL") {
    End(transfer,
        ok ? "Cancelled " + Describe(*transfer)
           : "Could not cancel " + Describe(*transfer) + ": " + failure,
        !ok);
  }
  return true;
}

std::string FinalHex(crypto_hash_sha256_state* hash) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(hash, digest);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

FileTransfers::TransferPtr FileTransfers::OfferToAnswer(uint64_t id) {
  const TransferPtr transfer = Find(id);
  if (transfer == nullptr || transfer->outgoing ||
      transfer->state != State::kIncoming) {
    ShowError("No file offer " + std::to_string(id) +
              " waits for your answer (/files lists them)");
    return nullptr;
  }
  return transfer;
}

void FileTransfers::Decline(uint64_t id) {
  const TransferPtr transfer = OfferToAnswer(id);
  if (transfer == nullptr) return;
  if (events_.request("FILE REJECT " + std::to_string(id))) {
    transfer->state = State::kCancelling;
  }
}

void FileTransfers::Cancel(uint64_t id) {
  const TransferPtr transfer = Find(id);
  if (transfer == nullptr || transfer->state == State::kCancelling) {
    ShowError("No file transfer " + std::to_string(id) +
              " is open (/files lists them)");
    return;
  }
  if (transfer->state == State::kIncoming) {
    Decline(id);
    return;
  }
  if (events_.request("FILE CANCEL " + std::to_string(id))) {
    transfer->state = State::kCancelling;
    Changed();
  }
}

void FileTransfers::Abandon(const TransferPtr& transfer, std::string message) {
  // The server is told, and whatever it answers finds the transfer over.
  if (transfer->id != 0) {
    events_.request("FILE CANCEL " + std::to_string(transfer->id));
  }
  End(transfer, std::move(message), true);
}

void FileTransfers::End(const TransferPtr& transfer, std::string message,
                        bool error) {
  if (transfer->state == State::kOver) return;
  transfer->state = State::kOver;
  if (transfer->id != 0) transfers_.erase(transfer->id);
  std::erase(unnumbered_, transfer);
  std::erase(offers_sent_, transfer);
  Release(transfer);
  if (!closed_ && !message.empty()) {
    if (error) {
      ShowError(std::move(message));
    } else {
      ShowNotice(std::move(message));
    }
  }
  Changed();
}

void FileTransfers::Release(const TransferPtr& transfer) {
  if (transfer->released || transfer->in_flight > 0) return;
  transfer->released = true;
  if (transfer->fd >= 0) fs::Close(loop_, transfer->fd);
  transfer->fd = -1;
  // A received file's temporary name goes: linked in place, or not kept.
  if (!transfer->outgoing && !transfer->path.empty()) {
    fs::Unlink(loop_, transfer->path);
  }
}

std::function<void(ssize_t)> FileTransfers::Guard(
    const TransferPtr& transfer, std::function<void(ssize_t)> then) {
  ++transfer->in_flight;
  return [this, transfer, then = std::move(then)](ssize_t result) {
    --transfer->in_flight;
    if (transfer->state == State::kOver) {
      Release(transfer);
      return;
    }
    then(result);
  };
}

std::string FileTransfers::Describe(const Transfer& transfer) const {
  return protocol::SanitizeForTerminal(transfer.name) +
         (transfer.outgoing ? " to " : " from ") + transfer.peer;
}

void FileTransfers::ListFiles() {
  if (transfers_.empty() && unnumbered_.empty()) {
    ShowNotice("No file offers or transfers");
    return;
  }
  std::vector<std::string> lines{renderer_.Notice("File transfers:")};
  auto add = [&](const Transfer& transfer) {
    std::string what;
    switch (transfer.state) {
      case State::kHashing:
        what = "reading the file";
        break;
      case State::kOffering:
      case State::kOffered:
        what = "offered, waiting for " + transfer.peer;
        break;
      case State::kIncoming:
        what = "offered to you: /get " + std::to_string(transfer.id) +
               " or /decline " + std::to_string(transfer.id);
        break;
      case State::kAccepting:
        what = "accepting";
        break;
      case State::kSending:
      case State::kEnding:
      case State::kReceiving:
      case State::kSaving:
        what = HumanSize(transfer.done()) + " done";
        break;
      case State::kCancelling:
        what = "stopping";
        break;
      case State::kOver:
        return;
    }
    const std::string id =
        transfer.id != 0 ? std::to_string(transfer.id) : std::string("-");
    lines.push_back(renderer_.Notice("  " + id + "  " + Describe(transfer) +
                                     " (" + HumanSize(transfer.size) +
                                     "): " + what));
  };
  for (const TransferPtr& transfer : unnumbered_) add(*transfer);
  for (const auto& [id, transfer] : transfers_) add(*transfer);
  events_.show(lines);
}

bool FileTransfers::busy() const {
  if (!unnumbered_.empty()) return true;
  for (const auto& [id, transfer] : transfers_) {
    if (transfer->state != State::kIncoming) return true;
  }
  return false;
}

std::vector<std::string> FileTransfers::ProgressLines(size_t width) const {
  std::vector<std::string> lines;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, transfer] : transfers_) {
    const Transfer& t = *transfer;
    if (t.state != State::kSending && t.state != State::kEnding &&
        t.state != State::kReceiving && t.state != State::kSaving) {
      continue;
    }
    const uint64_t done = t.done();
    const double fraction =
        t.size == 0 ? 1.0 : static_cast<double>(done) / t.size;
    const double seconds =
        std::chrono::duration<double>(now - t.started).count();
    const double rate = seconds > 0.2 ? done / seconds : 0;
    std::string stats = " " + std::to_string(static_cast<int>(fraction * 100)) +
                        "% " + HumanSize(done) + " of " + HumanSize(t.size);
    if (rate > 0) {
      stats += ", " + HumanSize(static_cast<uint64_t>(rate)) + "/s";
      const double left = (t.size - done) / rate;
      stats +=
          ", " + std::to_string(static_cast<uint64_t>(left + 0.5)) + " s left";
    }
    constexpr size_t kBar = 20;
    const auto filled = static_cast<size_t>(fraction * kBar);
    const std::string bar =
        "[" + std::string(filled, '#') + std::string(kBar - filled, '.') + "]";
    std::string label = std::to_string(t.id) + " " + Describe(t) + " ";
    // The label gives way first: the numbers are what a bar is for.
    const size_t fixed = bar.size() + stats.size();
    if (width > fixed && label.size() > width - fixed) {
      label.resize(width - fixed > 4 ? width - fixed - 4 : 0);
      while (!label.empty() &&
             (static_cast<unsigned char>(label.back()) & 0xC0) == 0x80) {
        label.pop_back();
      }
      if (!label.empty() && static_cast<unsigned char>(label.back()) >= 0xC0) {
        label.pop_back();
      }
      label += "... ";
    }
    std::string line = label + bar + stats;
    if (line.size() > width) line.resize(width);
    lines.push_back(std::move(line));
  }
  return lines;
}

void FileTransfers::Close() {
  if (closed_) return;
  closed_ = true;
  std::vector<TransferPtr> all(unnumbered_.begin(), unnumbered_.end());
  for (const auto& [id, transfer] : transfers_) all.push_back(transfer);
  for (const TransferPtr& transfer : all) End(transfer, "", false);
}

void FileTransfers::Changed() {
  if (!closed_ && events_.changed) events_.changed();
}

}  // namespace chat::client
