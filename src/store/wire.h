// The store's frames: what workers and the broker ask of the store process,
// and what it answers. A request or answer is an operation (or status) byte
// followed by fields, each a 4-byte length (host order: both ends are
// processes of one program on one machine) and that many bytes. Frames carry
// them as kStoreRequest / kStoreReply payloads (ipc/channel.h).
//
// No password ever travels in a frame: only Argon2id hashes, computed in the
// worker.
#ifndef CHAT_STORE_WIRE_H_
#define CHAT_STORE_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/worker_id.h"

namespace chat::store {

enum class Op : uint8_t {
  // worker: is `name` an account? -> kOk (account's spelling) / kNotFound
  kCheckName = 1,
  // worker: create account (name, hash) -> kOk / kTaken / kFailed
  kRegister = 2,
  // worker: the hash for a login attempt (name, "1" if failed logins also
  // count against the client's address, "0" if it is exempt) -> kOk
  // (spelling, hash) / kNotFound / kThrottled (seconds)
  kGetHash = 3,
  // worker: a login succeeded (name, new hash or "") -> the mailbox as kMore
  // (id, time, from, text) parts, then kOk (privacy setting or "", then the
  // names of the accounts it has an accepted private chat with)
  kLoginDone = 4,
  // worker: a login failed (name) -> kOk (the attempt is counted)
  kLoginFailed = 5,
  // worker: set the hash (name, hash) -> kOk
  kSetHash = 6,
  // worker: delete the account (name) -> kOk
  kDeleteAccount = 7,
  // worker: mailbox rows up to this id were written (name, id); no answer
  kMailboxDone = 8,
  // worker: queue a message (to, from, text) -> kOk (spelling) / kNotFound /
  // kFull / kOnline (the recipient is on line: deliver it live)
  kQueue = 9,
  // worker: history (requester, requester-is-account "1"/"0", target,
  // count, before) -> kMore (id, time, from, to, text) parts, final kOk
  kHistory = 10,
  // broker: keep a message in the history (from, to, text); no answer
  kRecord = 11,
  // broker: a session began (peer, pid); no answer
  kSessionOpen = 12,
  // worker: this session registered (name, account "1"/"0"); no answer
  kSessionName = 13,
  // broker: a session ended (how); no answer
  kSessionEnd = 14,
  // broker: two accounts' private chat was accepted ("1") or ended ("0")
  // (a, b, "1"/"0"); no answer
  kContact = 15,
  // broker: an account's privacy setting (name, "open"/"ask"); no answer
  kPrivacy = 16,
  // broker: are you there? () -> kOk. The broker's watchdog (StoreLink)
  // sends it to kReadyTarget and kills a store that does not answer.
  kPing = 17,
};

enum class Status : uint8_t {
  kOk = 1,
  kNotFound = 2,
  kTaken = 3,
  kThrottled = 4,
  kFull = 5,
  kOnline = 6,
  kMore = 7,     // one part of a longer answer; more follow
  kFailed = 8,   // the database failed; nothing was stored
  kGone = 9,     // the store died with the request in flight (broker)
  kBanned = 10,  // kCheckName, kRegister, kGetHash: the operator banned it
};

// The target of the store's first frame, an empty kStoreReply that says the
// database is open.
inline constexpr ipc::WorkerId kReadyTarget{UINT32_MAX, UINT32_MAX};

// Encodes an operation or status byte and its fields.
std::string Encode(uint8_t head, const std::vector<std::string_view>& fields);

struct Decoded {
  uint8_t head = 0;
  std::vector<std::string_view> fields;  // views into the encoded text
};

// nullopt when `bytes` is not a well-formed encoding.
std::optional<Decoded> Decode(std::string_view bytes);

// A request is prefixed with the asker's sequence number (4 bytes), which
// the answers carry back in their frame's `count`: a worker told that the
// store died drops the answers of requests it has already given up on.
// The broker's own requests, which get no answer, use 0.
std::string EncodeRequest(uint32_t seq, Op op,
                          const std::vector<std::string_view>& fields);
// The sequence number and the rest; nullopt when malformed.
std::optional<std::pair<uint32_t, Decoded>> DecodeRequest(
    std::string_view bytes);

}  // namespace chat::store

#endif  // CHAT_STORE_WIRE_H_
