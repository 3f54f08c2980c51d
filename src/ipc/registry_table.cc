// The registry's table: its index, lists and repair (registry_table.h).
#include "ipc/registry_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "ipc/siphash.h"
#include "ipc/trace_point.h"

namespace chat::ipc {
namespace registry_internal {

Registry::UpdateHook update_hook = nullptr;
Registry::LockWaitReport lock_wait_report = nullptr;

void RunHook(const char* stage) {
  TracePoint(stage);
  if (update_hook != nullptr) update_hook(stage);
}

[[noreturn]] void Panic(const char* what) {
  std::fprintf(stderr, "registry: %s\n", what);
  std::abort();
}

}  // namespace registry_internal

using registry_internal::AsciiLower;
using registry_internal::kLockReportEvery;
using registry_internal::kNoSlot;
using registry_internal::kSlotFree;
using registry_internal::kSlotUsed;
using registry_internal::LoadState;
using registry_internal::lock_wait_report;
using registry_internal::Panic;
using registry_internal::RunHook;
using registry_internal::SameNameIgnoringCase;
using registry_internal::StoreState;

uint32_t Registry::Header::HomeOf(std::string_view name) {
  unsigned char lower[kMaxNameLength];
  size_t length = std::min(name.size(), kMaxNameLength);
  for (size_t i = 0; i < length; ++i) {
    lower[i] = static_cast<unsigned char>(AsciiLower(name[i]));
  }
  return static_cast<uint32_t>(SipHash24(hash_key, lower, length)) & index_mask;
}

// Index position holding `name` (any letter case), or kNoSlot. At most
// half the index is ever used, so the probe ends at an empty entry; the
// bound only guards against a corrupt table.
uint32_t Registry::Header::FindPosition(std::string_view name) {
  uint32_t* entries = index();
  uint32_t position = HomeOf(name);
  for (uint32_t probes = 0; probes <= index_mask; ++probes) {
    uint32_t slot = entries[position];
    if (slot == kNoSlot) return kNoSlot;
    if (SameNameIgnoringCase(NameOf(slot), name)) return position;
    position = (position + 1) & index_mask;
  }
  return kNoSlot;
}

// Index position holding `slot` itself.
uint32_t Registry::Header::PositionOfSlot(uint32_t slot) {
  uint32_t* entries = index();
  uint32_t position = HomeOf(NameOf(slot));
  for (uint32_t probes = 0; probes <= index_mask; ++probes) {
    if (entries[position] == slot) return position;
    if (entries[position] == kNoSlot) break;
    position = (position + 1) & index_mask;
  }
  Panic("index does not hold a registered slot");
}

void Registry::Header::IndexInsert(uint32_t slot) {
  uint32_t* entries = index();
  uint32_t position = HomeOf(NameOf(slot));
  while (entries[position] != kNoSlot) {
    position = (position + 1) & index_mask;
  }
  entries[position] = slot;
}

// Backward-shift deletion: later entries of the same probe run move into
// the hole, so lookups never need tombstones and never slow down with age.
void Registry::Header::IndexErase(uint32_t hole) {
  uint32_t* entries = index();
  uint32_t position = hole;
  for (;;) {
    position = (position + 1) & index_mask;
    uint32_t slot = entries[position];
    if (slot == kNoSlot) break;
    uint32_t home = HomeOf(NameOf(slot));
    // The entry may fill the hole only if the hole lies on its probe path,
    // i.e. cyclically within [home, position).
    if (((position - home) & index_mask) >= ((position - hole) & index_mask)) {
      entries[hole] = slot;
      hole = position;
    }
  }
  entries[hole] = kNoSlot;
}

void Registry::Header::PushFree(uint32_t slot) {
  slots()[slot].next_free = free_head;
  free_head = slot;
}

// Appends `slot` to the in-use list. Crash-safe as all derived data is:
// the list is rebuilt from the slots after a death (Rebuild). `update`:
// called by Join (whose test hook runs halfway), not by the rebuild.
void Registry::Header::LinkUsed(uint32_t slot, bool update) {
  Slot& s = slots()[slot];
  s.used_prev = used_tail;
  s.used_next = kNoSlot;
  if (used_tail == kNoSlot) {
    used_head = slot;
  } else {
    slots()[used_tail].used_next = slot;
  }
  if (update) RunHook("join:listing");
  used_tail = slot;
}

void Registry::Header::UnlinkUsed(uint32_t slot) {
  Slot& s = slots()[slot];
  if (s.used_prev == kNoSlot) {
    used_head = s.used_next;
  } else {
    slots()[s.used_prev].used_next = s.used_next;
  }
  RunHook("leave:unlisting");
  if (s.used_next == kNoSlot) {
    used_tail = s.used_prev;
  } else {
    slots()[s.used_next].used_prev = s.used_prev;
  }
}

// The in-use list from the slots marked used, in join order. Only a
// repair pays for the sort.
void Registry::Header::RebuildUsedList() {
  std::vector<std::pair<uint64_t, uint32_t>> used;
  used.reserve(count);
  Slot* all = slots();
  for (uint32_t i = 0; i < max_users; ++i) {
    if (all[i].state == kSlotUsed) used.emplace_back(all[i].join_sequence, i);
  }
  std::sort(used.begin(), used.end());
  used_head = used_tail = kNoSlot;
  for (const auto& [sequence, slot] : used) LinkUsed(slot, false);
}

bool Registry::Header::SlotLooksValid(Slot& slot) {
  return slot.name_length >= 1 && slot.name_length <= kMaxNameLength &&
         IsValidRegistryName({slot.name, slot.name_length}) &&
         slot.worker.connection < max_connections;
}

// Throws away every piece of derived data and rebuilds it from the slots.
// A slot counts only if its state word says used (the write that finishes
// a join) and its contents make sense; everything else becomes free. The
// rebuild is idempotent: if its process is killed halfway, the mutex stays
// in the owner-died state and the next locker simply runs it again.
void Registry::Header::Rebuild() {
  std::fill_n(index(), size_t{index_mask} + 1, kNoSlot);
  std::fill_n(connection_slot(), size_t{max_connections}, kNoSlot);
  count = 0;
  RunHook("repair:derived-cleared");
  uint64_t last_sequence = 0;
  Slot* all = slots();
  for (uint32_t i = 0; i < max_users; ++i) {
    Slot& slot = all[i];
    bool keep = LoadState(slot) == kSlotUsed && SlotLooksValid(slot) &&
                connection_slot()[slot.worker.connection] == kNoSlot &&
                FindPosition(NameOf(i)) == kNoSlot;
    if (!keep) {
      // Normalise whatever an interrupted update left.
      if (slot.state != kSlotFree) StoreState(slot, kSlotFree);
      continue;
    }
    IndexInsert(i);
    connection_slot()[slot.worker.connection] = i;
    ++count;
    last_sequence = std::max(last_sequence, slot.join_sequence);
  }
  // Pushed from the top so that the lowest free slot is used first.
  free_head = kNoSlot;
  for (uint32_t i = max_users; i-- > 0;) {
    if (all[i].state == kSlotFree) PushFree(i);
  }
  next_join_sequence = std::max(next_join_sequence, last_sequence + 1);
  RebuildUsedList();
}

// Waits for the mutex, reporting every kLockReportEvery (a process that
// holds it may be stopped: SIGSTOP, a debugger), then repairs if needed.
void Registry::Header::LockAndRepair() {
  LockStatus status = mutex.TryLock();
  auto waited = std::chrono::seconds(0);
  while (status == LockStatus::kBusy || status == LockStatus::kTimedOut) {
    status =
        mutex.LockUntil(std::chrono::system_clock::now() + kLockReportEvery);
    if (status == LockStatus::kTimedOut) {
      waited += kLockReportEvery;
      if (lock_wait_report != nullptr) {
        lock_wait_report(waited, mutex.OwnerTid());
      }
    }
  }
  Repair(status);
}

// The broker's way in: never waits; false if another process holds it.
bool Registry::Header::TryLockAndRepair() {
  LockStatus status = mutex.TryLock();
  if (status == LockStatus::kBusy) return false;
  Repair(status);
  return true;
}

// After the mutex was taken with `status`.
void Registry::Header::Repair(LockStatus status) {
  switch (status) {
    case LockStatus::kAcquired:
      return;
    case LockStatus::kOwnerDied:
      // The dead owner may have stopped anywhere in an update; its slot
      // writes are complete or invisible (see StoreState), the derived
      // data is not to be trusted.
      ++repairs;
      Rebuild();
      mutex.MarkConsistent();
      return;
    case LockStatus::kNotRecoverable:
      Panic(
          "the shared table's mutex is not recoverable: a process died "
          "holding it and the next owner released it unrepaired; the user "
          "table can no longer be used");
    case LockStatus::kBusy:
    case LockStatus::kTimedOut:
      break;
  }
  Panic("unexpected result from a lock");
}

// Frees whatever slot `worker` holds; its name, or nullopt if none (or a
// stale id). Under the mutex.
std::optional<std::string> Registry::Header::Clear(WorkerId worker) {
  if (worker.connection >= max_connections) return std::nullopt;
  uint32_t index = connection_slot()[worker.connection];
  if (index == kNoSlot) return std::nullopt;
  Slot& slot = slots()[index];
  // A stale id: the connection index now belongs to a newer worker.
  if (!(slot.worker == worker)) return std::nullopt;

  std::string name(NameOf(index));
  uint32_t position = PositionOfSlot(index);
  // The commit point, first: from here on the name is gone even if the
  // process dies before the derived data below catches up.
  StoreState(slot, kSlotFree);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  RunHook("leave:state-cleared");

  IndexErase(position);
  UnlinkUsed(index);
  connection_slot()[worker.connection] = kNoSlot;
  PushFree(index);
  --count;
  return name;
}

}  // namespace chat::ipc
