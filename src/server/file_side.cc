// FileSide: a worker's transfers, its rings of chunks, and their lines.
#include "server/file_side.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "protocol/file_request.h"

namespace chat::server {
namespace {

constexpr size_t kRingBytes = protocol::kFileWindow;
// What an emptied ring keeps of the pages it touched: a few chunks' worth.
constexpr size_t kKeepRingBytes = 16 * 1024;
constexpr size_t kPageBytes = 4096;
// A FILE DATA line of a full chunk: "FILE DATA <id> " and 4000 characters.
constexpr size_t kFeedBelow = 4096;

}  // namespace

FileRing::FileRing(FileRing&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      head_(std::exchange(other.head_, 0)),
      size_(std::exchange(other.size_, 0)) {}

FileRing& FileRing::operator=(FileRing&& other) noexcept {
  if (this != &other) {
    if (data_) munmap(data_, kRingBytes);
    data_ = std::exchange(other.data_, nullptr);
    head_ = std::exchange(other.head_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

FileRing::~FileRing() {
  if (data_) munmap(data_, kRingBytes);
}

bool FileRing::Push(std::string_view bytes) {
  if (size_ + bytes.size() > kRingBytes) return false;
  if (data_ == nullptr) {
    // Its own mapping rather than the heap: pages never touched cost
    // nothing, and all of it goes back to the system when the transfer ends.
    void* map = mmap(nullptr, kRingBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) return false;
    data_ = static_cast<char*>(map);
  }
  size_t tail = (head_ + size_) % kRingBytes;
  size_t first = std::min(bytes.size(), kRingBytes - tail);
  std::memcpy(data_ + tail, bytes.data(), first);
  std::memcpy(data_, bytes.data() + first, bytes.size() - first);
  size_ += bytes.size();
  touched_ = std::max(touched_,
                      size_ + head_ > kRingBytes ? kRingBytes : size_ + head_);
  return true;
}

std::string_view FileRing::Front(size_t max) const {
  size_t length = std::min({max, size_, kRingBytes - head_});
  return std::string_view(data_ + head_, length);
}

void FileRing::Pop(size_t bytes) {
  size_ -= bytes;
  if (size_ > 0) {
    head_ = (head_ + bytes) % kRingBytes;
    return;
  }
  // Empty: start again at the front, so the pages in use stay the first,
  // and give back those a backlog touched beyond them.
  head_ = 0;
  if (touched_ > kKeepRingBytes) {
    size_t end = (touched_ + kPageBytes - 1) / kPageBytes * kPageBytes;
    (void)madvise(data_ + kKeepRingBytes, end - kKeepRingBytes, MADV_DONTNEED);
    touched_ = 0;
  }
}

FileSide::Entry* FileSide::Find(uint32_t id) {
  for (Entry& entry : entries_) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

const FileSide::Entry* FileSide::Find(uint32_t id) const {
  for (const Entry& entry : entries_) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

bool FileSide::IsSender(uint32_t id) const {
  const Entry* entry = Find(id);
  return entry && entry->sender && entry->end_line.empty();
}

bool FileSide::IsRecipient(uint32_t id) const {
  const Entry* entry = Find(id);
  return entry && entry->recipient;
}

bool FileSide::RecentlyClosed(uint32_t id) const {
  return std::find(std::begin(closed_), std::end(closed_), id) !=
         std::end(closed_);
}

std::string_view FileSide::Open(uint32_t id, std::string_view payload) {
  Entry* entry = Find(id);
  if (entry == nullptr) {
    entries_.emplace_back();
    entries_.back().id = id;
    entry = &entries_.back();
  }
  if (payload.starts_with("S")) {
    entry->sender = true;
    return {};
  }
  entry->recipient = true;
  line_.assign(payload.substr(1));
  return line_;
}

std::string_view FileSide::Close(uint32_t id, std::string_view payload) {
  auto at = std::find_if(entries_.begin(), entries_.end(),
                         [id](const Entry& e) { return e.id == id; });
  line_.assign(payload.empty() ? std::string_view() : payload.substr(1));
  if (at == entries_.end()) return line_;
  closed_[closed_next_] = id;
  closed_next_ = (closed_next_ + 1) % std::size(closed_);
  if (payload.starts_with("E") && at->ring.size() > 0 && !line_.empty()) {
    // The recipient's FILE END follows the chunks it still has to write.
    at->end_line = line_;
    at->sender = false;
    CountWaiting();
    return {};
  }
  entries_.erase(at);
  CountWaiting();
  if (entries_.empty()) std::vector<Entry>().swap(entries_);
  return line_;
}

bool FileSide::Data(uint32_t id, std::string_view raw) {
  Entry* entry = Find(id);
  if (entry == nullptr || !entry->recipient || !entry->end_line.empty()) {
    return false;
  }
  if (!entry->ring.Push(raw)) return false;
  CountWaiting();
  return true;
}

std::optional<uint64_t> FileSide::ClampAck(uint32_t id, uint64_t bytes) {
  Entry* entry = Find(id);
  if (entry == nullptr) return std::nullopt;
  uint64_t acked = std::min(bytes, entry->written);
  if (acked <= entry->acked) return std::nullopt;
  entry->acked = acked;
  return acked;
}

void FileSide::CountWaiting() {
  waiting_ = 0;
  for (const Entry& entry : entries_) {
    if (entry.ring.size() > 0 || !entry.end_line.empty()) ++waiting_;
  }
}

void FileSide::Feed(OutputBuffer& output) {
  while (waiting_ > 0 && output.size() < kFeedBelow) {
    if (next_feed_ >= entries_.size()) next_feed_ = 0;
    Entry& entry = entries_[next_feed_];
    if (entry.ring.size() > 0) {
      std::string_view raw = entry.ring.Front(protocol::kMaxFileChunk);
      line_.clear();
      protocol::AppendFileDataPush(entry.id, raw, &line_);
      output.Append(line_);
      entry.written += raw.size();
      entry.ring.Pop(raw.size());
      ++next_feed_;
    } else if (!entry.end_line.empty()) {
      output.Append(entry.end_line);
      entries_.erase(entries_.begin() +
                     static_cast<std::ptrdiff_t>(next_feed_));
      if (entries_.empty()) std::vector<Entry>().swap(entries_);
    } else {
      ++next_feed_;
      continue;
    }
    CountWaiting();
  }
  // Shrinks a line buffer a big chunk left behind to nothing more than a line.
  if (waiting_ == 0 && line_.capacity() > kFeedBelow + 64) {
    std::string().swap(line_);
  }
}

}  // namespace chat::server
