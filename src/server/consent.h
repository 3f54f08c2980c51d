// Private-message requests, the broker's side: pending invitations,
// accepted private chats, and the delivery of a private message to a user
// whose privacy setting is "ask".
//
// The privacy setting itself is a byte of the user's registry slot, so a
// MESG to an "open" user (the default, and all of version 1) goes the way it
// always went, straight to the recipient's worker, without asking the
// broker. Only a MESG to an "ask" user comes here (ConsentOp::kMesg), and the
// broker, which alone knows the accepted chats, delivers it or answers
// Not Accepted. Like room membership (rooms.h), this state is written by the
// broker alone, one whole frame at a time, so no worker's death can leave it
// half changed.
//
// Persistence: every change that outlives a request (a chat accepted or
// ended, a privacy setting) goes through Consent::Changed(), the one place
// that will also hand it to the store for two accounts. Until then the
// chats last for the session: a user's leaving ends them (Forget).
#ifndef CHAT_SERVER_CONSENT_H_
#define CHAT_SERVER_CONSENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/channel.h"
#include "server/log.h"
#include "server/worker_table.h"

namespace chat::server {

class Relay;

// kConsentRequest's `count`. Payloads and targets:
//   kInvite:  target = the invitee; payload = its name as typed
//   kAccept, kReject, kEnd: payload = the other user's name as typed
//   kChats:   nothing
//   kPrivacy: "open" or "ask" (the worker has set its registry slot)
//   kMesg:    target = the recipient; payload = "<its name> " followed by
//             the push line "MESG <from> <text>\n"
enum class ConsentOp : uint32_t {
  kInvite = 1,
  kAccept = 2,
  kReject = 3,
  kEnd = 4,
  kChats = 5,
  kPrivacy = 6,
  kMesg = 7,
  // After a LOGIN: the account's stored accepted chats (payload: the other
  // accounts' names, space-separated) are restored with those on line. The
  // one request without an answer: the client asked for none.
  kRestore = 8,
};

class Consent {
 public:
  Consent(WorkerTable& table, Relay& relay, const Log& log);

  // A kConsentRequest from worker `from`; answered with exactly one kAnswer.
  void OnRequest(uint32_t from, const ipc::FrameView& frame);

  // Worker `index` left: its invitations lapse, and its chats, which last
  // for the session, end. The other sides learn it from LEFT <username>.
  void Forget(uint32_t index);

  // Whether `a` and `b` have an accepted private chat (a FILE OFFER to an
  // "ask" user needs one, as a MESG does).
  bool Accepted(uint32_t a, uint32_t b);

 private:
  struct Change {
    enum Kind { kAccepted, kEnded, kPrivacy } kind;
    uint32_t user;
    uint32_t other;  // kAccepted, kEnded
    bool ask;        // kPrivacy
  };
  // Logs `change`, naming the pair; the one call site for persisting it.
  void Changed(const Change& change);

  void Invite(uint32_t from, ipc::WorkerId target, std::string_view typed);
  // ACCEPT (accept = true) or REJECT of `typed`'s invitation.
  void Answer(uint32_t from, std::string_view typed, bool accept);
  void End(uint32_t from, std::string_view typed);
  void Chats(uint32_t from);
  void Mesg(uint32_t from, ipc::WorkerId target, std::string_view payload);
  void Restore(uint32_t from, std::string_view names);

  std::vector<uint32_t>& At(std::vector<std::vector<uint32_t>>& lists,
                            uint32_t index);

  WorkerTable& table_;
  Relay& relay_;
  const Log& log_;
  // Per connection index: who it invited (pending), who invited it
  // (pending), and whom it has an accepted chat with, oldest first. Lists
  // stay short (a person's conversations), so they are searched linearly.
  std::vector<std::vector<uint32_t>> invited_;
  std::vector<std::vector<uint32_t>> invited_by_;
  std::vector<std::vector<uint32_t>> chats_;
};

}  // namespace chat::server

#endif  // CHAT_SERVER_CONSENT_H_
