// FileSide: a worker's own view of the file transfers its user is a side
// of (the broker holds the real state, file_transfer.h): which ids it may
// send DATA or ACK for, and, for each transfer it receives, the chunks the
// broker relayed that are not yet written to the client.
//
// Chunks wait in a ring of raw bytes, one per incoming transfer, at most
// protocol::kFileWindow bytes: the broker relays no more than the window
// past what this worker acknowledged, and an ACK is passed on only up to
// what was written towards the client (ClampAck), so the ring cannot
// overflow whatever the client says. The ring is mapped on the first chunk
// and unmapped when the transfer ends, and starts again at its first byte
// whenever it empties, so a client that keeps up touches only its first
// pages; pages past those a slow moment filled are given back once it
// empties again. The worker's memory does not grow with the file.
//
// Chunks are written out one line at a time, only while the output holds
// less than one line (Feed): a chat line for the client is never queued
// behind more than one chunk.
#ifndef CHAT_SERVER_FILE_SIDE_H_
#define CHAT_SERVER_FILE_SIDE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/output_buffer.h"

namespace chat::server {

class FileRing {
 public:
  FileRing() = default;
  FileRing(FileRing&& other) noexcept;
  FileRing& operator=(FileRing&& other) noexcept;
  ~FileRing();

  // False if `bytes` do not fit (or the mapping failed).
  bool Push(std::string_view bytes);
  // Up to `max` bytes from the front, contiguous; Pop removes them.
  std::string_view Front(size_t max) const;
  void Pop(size_t bytes);
  size_t size() const { return size_; }

 private:
  char* data_ = nullptr;  // mmap'd, protocol::kFileWindow bytes
  size_t head_ = 0;
  size_t size_ = 0;
  size_t touched_ = 0;  // bytes from data_ written since the last release
};

class FileSide {
 public:
  // kFileOpen: `payload` is "S" or "R" + the offer push; the line to write
  // now (empty for the sender).
  std::string_view Open(uint32_t id, std::string_view payload);
  // kFileClose: the line to write now ("A"), or empty when it waits for
  // the chunks still held ("E": Feed writes it after them).
  std::string_view Close(uint32_t id, std::string_view payload);
  // kFileData: false if the transfer is not one this worker receives, or
  // its ring is full (the broker broke the window).
  bool Data(uint32_t id, std::string_view raw);

  bool IsSender(uint32_t id) const;
  bool IsRecipient(uint32_t id) const;
  // Whether `id` ended a moment ago: DATA or ACK the client sent before it
  // saw the end are dropped without an answer.
  bool RecentlyClosed(uint32_t id) const;
  // An ACK of `bytes` from the client: the value to pass on (at most what
  // was written towards the client), or nullopt if nothing new.
  std::optional<uint64_t> ClampAck(uint32_t id, uint64_t bytes);

  // Appends FILE DATA lines (and deferred FILE END lines) to `output`
  // while it holds less than one line.
  void Feed(OutputBuffer& output);
  bool has_waiting() const { return waiting_ > 0; }

 private:
  struct Entry {
    uint32_t id = 0;
    bool sender = false;
    bool recipient = false;
    FileRing ring;
    uint64_t written = 0;  // raw bytes put into the output
    uint64_t acked = 0;    // passed on to the broker
    std::string end_line;  // FILE END, once the ring is empty
  };
  Entry* Find(uint32_t id);
  const Entry* Find(uint32_t id) const;
  void CountWaiting();

  std::vector<Entry> entries_;
  uint32_t closed_[8] = {};  // the last ids closed, newest at closed_next_-1
  size_t closed_next_ = 0;
  size_t waiting_ = 0;    // entries with chunks or an END to write
  size_t next_feed_ = 0;  // round robin over the entries
  std::string line_;      // Close's and Open's line, then reused
};

}  // namespace chat::server

#endif  // CHAT_SERVER_FILE_SIDE_H_
