// Relay: MESG to one, BCST/JOINED/LEFT to all registered but one, and the
// exactly-once LEFT.
#include "server/relay.h"

#include <signal.h>

#include <algorithm>
#include <string>

#include "protocol/reply.h"
#include "protocol/text.h"

namespace chat::server {

Relay::Relay(WorkerTable& table, ipc::Registry& registry, const Log& log,
             size_t hung_limit, Clock::duration min_window,
             Clock::duration max_window, uint32_t max_rooms,
             FileLimits file_limits)
    : table_(table),
      registry_(registry),
      log_(log),
      hung_limit_(hung_limit),
      min_window_(min_window),
      max_window_(max_window),
      rooms_(table, *this, log, max_rooms),
      consent_(table, *this, log),
      files_(table, *this, consent_, log, file_limits) {}

void Relay::OnFrame(uint32_t from, const ipc::FrameView& frame) {
  switch (frame.kind) {
    case ipc::FrameKind::kSendTo:
      // The target was looked up in the registry, so it has joined, even if
      // its own kJoined is still on its way here. A target that is gone
      // (left, or its index reused: the generation differs) drops the lines;
      // its LEFT tells the sender's peers.
      if (WorkerEntry* target = table_.Find(frame.target)) {
        Queue(target->id.connection, ipc::FrameKind::kDeliver, frame.payload);
        // Private messages are kept when an account is at either end.
        if (history_sink_ && (target->account || table_.at(from).account)) {
          history_sink_(history_context_, frame.payload, target->name);
        }
      }
      return;
    case ipc::FrameKind::kBroadcast: {
      if (history_sink_) history_sink_(history_context_, frame.payload, "*");
      uint32_t count = FanOut(frame.payload, from, Send::kNow);
      Queue(from, ipc::FrameKind::kBroadcastDone, {}, count);
      return;
    }
    case ipc::FrameKind::kJoined:
      Joined(from, frame.payload);
      return;
    case ipc::FrameKind::kLeft:
      AnnounceLeft(from);
      return;
    case ipc::FrameKind::kRoomRequest:
      rooms_.OnRequest(from, frame);
      return;
    case ipc::FrameKind::kConsentRequest:
      consent_.OnRequest(from, frame);
      return;
    case ipc::FrameKind::kFileRequest:
    case ipc::FrameKind::kFileData:
    case ipc::FrameKind::kFileAck:
    case ipc::FrameKind::kFileAbort:
      files_.OnFrame(from, frame);
      return;
    default:
      Kill(from, "sent frame kind " +
                     std::to_string(static_cast<int>(frame.kind)) +
                     ", which only the broker sends");
      return;
  }
}

void Relay::Joined(uint32_t from, std::string_view name) {
  WorkerEntry& entry = table_.at(from);
  if (entry.registered || !protocol::IsValidUsername(name)) {
    Kill(from, "sent an invalid JOINED frame");
    return;
  }
  if (auto holder = table_.FindRegistered(name)) AnnounceLeft(*holder);
  table_.Register(from, std::string(name));
  // Answered like a broadcast: the worker says OK JOIN only now that the
  // user is counted in every later fan-out.
  uint32_t told = FanOut(protocol::FormatJoined(name), from, Send::kHeld);
  Queue(from, ipc::FrameKind::kBroadcastDone, {}, told);
}

void Relay::AnnounceLeft(uint32_t index) {
  WorkerEntry& entry = table_.at(index);
  if (!entry.registered) return;
  // Out of its rooms and chats first: the one LEFT <username> below tells
  // their other members too.
  rooms_.Forget(index);
  consent_.Forget(index);
  files_.Forget(index);
  table_.Unregister(index);
  FanOut(protocol::FormatLeft(entry.name), index, Send::kHeld);
}

void Relay::OnWorkerGone(uint32_t index, std::string_view why) {
  WorkerEntry& entry = table_.at(index);
  // Clears the entry of a worker that died holding it; a worker that left
  // by itself already did, and this finds nothing. Never waits: a process
  // stopped while holding the mutex must not stop the broker.
  std::optional<std::string> held;
  if (auto cleared = registry_.TryLeave(entry.id)) {
    held = std::move(*cleared);
  } else {
    registry_clears_.push_back(entry.id);
    log_.Error(entry.subject,
               "the user table is locked by another process (stopped?); "
               "its entry is cleared once it is free");
  }
  if (entry.registered) {
    log_.Info(entry.subject,
              "LEFT " + entry.name + " (" + std::string(why) + ")");
    AnnounceLeft(index);
  } else if (held) {
    // Died between joining the registry and telling the broker: nobody got
    // JOINED, but LIST may have shown the name.
    log_.Info(entry.subject, "LEFT " + *held + " (" + std::string(why) + ")");
    FanOut(protocol::FormatLeft(*held), index, Send::kHeld);
  }
}

bool Relay::RetryRegistryClears() {
  while (!registry_clears_.empty()) {
    auto cleared = registry_.TryLeave(registry_clears_.back());
    if (!cleared) return true;
    if (*cleared) {
      log_.Info(kServerSubject, "user table entry of " + **cleared +
                                    " cleared after its worker ended");
    }
    registry_clears_.pop_back();
  }
  return false;
}

void Relay::ShutdownAll(std::string_view reason) {
  for (uint32_t index = 0; index < table_.capacity(); ++index) {
    if (table_.at(index).in_use) {
      Queue(index, ipc::FrameKind::kShutdown, reason);
    }
  }
}

void Relay::Kill(uint32_t index, std::string_view why) {
  WorkerEntry& entry = table_.at(index);
  if (entry.killed || !entry.in_use) return;
  log_.Error(entry.subject, std::string(why) + "; killing it");
  entry.killed = true;
  entry.killed_because = why;
  // Without a pid yet, the kill comes when the spawner's reply names it.
  if (entry.pid > 0) kill(entry.pid, SIGKILL);
}

void Relay::MarkDirty(uint32_t index) {
  WorkerEntry& entry = table_.at(index);
  if (entry.dirty) return;
  entry.dirty = true;
  dirty_.push_back(index);
}

void Relay::MarkHeld(uint32_t index) {
  WorkerEntry& entry = table_.at(index);
  if (entry.dirty || entry.held) return;
  entry.held = true;
  held_.push_back(index);
}

bool Relay::TakeDirty(Clock::time_point now, std::vector<uint32_t>* out) {
  std::optional<Clock::time_point> due = held_due();
  // Only a pass that sends something counts: entries flushed early (with a
  // MESG, a BCST, on EPOLLOUT) stay listed, and an empty pass must not
  // shorten the gap.
  bool pass = false;
  if (due && now >= *due) {
    for (uint32_t index : held_) {
      WorkerEntry& entry = table_.at(index);
      if (entry.in_use && entry.held) {
        MarkDirty(index);
        pass = true;
      }
    }
    held_.clear();
  }
  out->clear();
  for (uint32_t index : dirty_) {
    WorkerEntry& entry = table_.at(index);
    if (!entry.in_use || !entry.dirty) continue;  // freed, or listed twice
    entry.dirty = false;
    entry.held = false;  // whatever was held goes out with this flush
    out->push_back(index);
  }
  dirty_.clear();
  return pass;
}

void Relay::PassDone(Clock::time_point start, Clock::time_point end) {
  pass_start_ = start;
  pass_end_ = end;
}

std::optional<Relay::Clock::time_point> Relay::held_due() const {
  if (held_.empty()) return std::nullopt;
  return pass_end_ +
         std::clamp(pass_end_ - pass_start_, min_window_, max_window_);
}

bool Relay::Deliver(uint32_t to, std::string_view lines, bool announcement) {
  return Queue(to, ipc::FrameKind::kDeliver, lines, 0,
               announcement ? Send::kHeld : Send::kNow);
}

void Relay::Answer(uint32_t to, std::string_view line) {
  Queue(to, ipc::FrameKind::kAnswer, line);
}

bool Relay::Queue(uint32_t to, ipc::FrameKind kind, std::string_view payload,
                  uint32_t count, Send send) {
  WorkerEntry& entry = table_.at(to);
  if (!entry.in_use || !entry.channel || !entry.channel_writable ||
      entry.killed) {
    return false;
  }
  entry.channel->Queue(kind, payload, {}, count);
  if (send == Send::kNow) {
    MarkDirty(to);
  } else {
    MarkHeld(to);
  }
  if (entry.channel->queued_bytes() > hung_limit_) {
    Kill(to, "not reading its channel (" +
                 std::to_string(entry.channel->queued_bytes()) +
                 " bytes queued)");
  }
  return true;
}

uint32_t Relay::FanOut(std::string_view lines, uint32_t except, Send send) {
  uint32_t count = 0;
  for (uint32_t index : table_.registered()) {
    if (index != except &&
        Queue(index, ipc::FrameKind::kDeliver, lines, 0, send)) {
      ++count;
    }
  }
  return count;
}

}  // namespace chat::server
