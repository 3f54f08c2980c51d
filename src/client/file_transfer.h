// FileTransfers::Transfer: the state of one file transfer, sending or
// receiving, shared by file_transfers.cc, file_send.cc and file_receive.cc.
#ifndef CHAT_CLIENT_FILE_TRANSFER_H_
#define CHAT_CLIENT_FILE_TRANSFER_H_

#include <sodium.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "client/file_transfers.h"

namespace chat::client {

struct FileTransfers::Transfer {
  enum class State {
    // Sending.
    kHashing,   // reading the file for its size and SHA-256
    kOffering,  // FILE OFFER sent, no answer yet
    kOffered,   // waiting for the recipient's FILE ACCEPT or REJECT
    kSending,   // DATA going out as the window allows
    kEnding,    // FILE END sent; waiting for OK
    // Receiving.
    kIncoming,   // offered to this user; /get or /decline
    kAccepting,  // temporary file made, FILE ACCEPT sent
    kReceiving,  // DATA coming in, written, acknowledged
    kSaving,     // FILE END came: checking, then linking the file in place
    // Either.
    kCancelling,  // FILE CANCEL or REJECT sent; waiting for OK
    kOver,
  };

  bool outgoing = false;
  State state = State::kHashing;
  uint64_t id = 0;   // the server's, 0 until known
  std::string peer;  // the other user
  std::string name;  // as offered (outgoing: OfferName; incoming: as sent)
  uint64_t size = 0;
  std::string sha256;  // 64 hex digits
  // Sending: the path given; receiving: the temporary file.
  std::string path;
  uv_file fd = -1;
  // Calls on the file in flight: the file is closed only when none is.
  int in_flight = 0;
  bool released = false;
  crypto_hash_sha256_state hash{};

  // Sending: bytes read and sent as DATA, and acknowledged by the peer.
  uint64_t sent = 0;
  uint64_t acked = 0;
  bool reading = false;
  std::string buffer;

  // Receiving: bytes taken from DATA, written, and what waits to be written.
  uint64_t received = 0;
  uint64_t written = 0;
  std::string to_write;
  bool writing = false;
  bool end_seen = false;
  std::string saved_as;  // the final path, once linked

  // Progress: when data started to move, for the rate.
  std::chrono::steady_clock::time_point started{};

  // Bytes that have reached the other side (sending) or the disk.
  uint64_t done() const { return outgoing ? acked : written; }
};

// The digest of `hash` (which it finalizes) as 64 lower-case hex digits.
std::string FinalHex(crypto_hash_sha256_state* hash);

}  // namespace chat::client

#endif  // CHAT_CLIENT_FILE_TRANSFER_H_
