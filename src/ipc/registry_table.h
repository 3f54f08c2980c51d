// The registry's shared segment from the inside: the layout of its header
// and slots, and the operations on the data derived from the slots (the
// name index, the free and in-use lists, the per-connection table, the
// count) and on the mutex, with the repair that rebuilds that data after a
// process died holding the mutex. For registry.cc and registry_table.cc
// only: everyone else goes through Registry (registry.h).
//
// Segment layout (every reference inside it is an index, never a pointer,
// because each process may map the segment at its own address):
//   Header | Slot[max_users] | index[index_size] | connection_slot[max_conns]
// The slots are the truth. The index (open addressing, linear probing,
// backward-shift deletion, keyed by the lower-cased name), the per-connection
// table, the free list, the in-use list and the count are derived from them
// and are rebuilt whenever a previous owner of the mutex died.
#ifndef CHAT_IPC_REGISTRY_TABLE_H_
#define CHAT_IPC_REGISTRY_TABLE_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/registry.h"
#include "ipc/robust_mutex.h"
#include "ipc/worker_id.h"

namespace chat::ipc {
namespace registry_internal {
// "chatreg1", little end.
inline constexpr uint64_t kMagic = 0x31676572'74616863;
inline constexpr uint32_t kVersion = 2;
// Bounds the segment (under 80 MiB at the limit) and keeps every index and
// count in 32 bits.
inline constexpr uint32_t kMaxCapacity = 1u << 20;
inline constexpr uint32_t kNoSlot = UINT32_MAX;

// A slot is registered exactly when its state word holds kSlotUsed; any other
// value, including whatever a crash left behind, reads as free. The word is
// stored last when a slot is filled and first when it is emptied.
inline constexpr uint32_t kSlotFree = 0;
inline constexpr uint32_t kSlotUsed = 0x55534544;  // "USED"

// The state word is read and written as an atomic in memory shared between
// processes: that is only sound if the atomic needs no lock of its own.
static_assert(std::atomic_ref<uint32_t>::is_always_lock_free);
static_assert(std::atomic_ref<uint32_t>::required_alignment <=
              alignof(uint32_t));

struct Slot {
  uint32_t state;
  uint32_t next_free;  // free-list link: derived data, meaningful while free
  // In-use list links (derived data, meaningful while used): the registered
  // slots in join order, so that Names() costs the registered users, not
  // max_users, and needs no sort.
  uint32_t used_prev;
  uint32_t used_next;
  uint64_t join_sequence;
  uint64_t group;  // JoinLimit::group of the worker that joined
  WorkerId worker;
  uint8_t name_length;
  uint8_t ask;  // privacy setting: 1 = ask, 0 = open
  char name[Registry::kMaxNameLength + 1];  // NUL-terminated for debuggers
};

// Set through Registry::SetUpdateHookForTesting and SetLockWaitReport.
extern Registry::UpdateHook update_hook;
extern Registry::LockWaitReport lock_wait_report;
// How long a locker waits before it reports, and again between reports.
inline constexpr std::chrono::seconds kLockReportEvery{1};

// A trace point (trace_point.h), then the test hook if one is set.
void RunHook(const char* stage);

// Reports `what` on stderr and aborts: the table is not to be trusted.
[[noreturn]] void Panic(const char* what);

inline uint32_t LoadState(Slot& slot) {
  return std::atomic_ref<uint32_t>(slot.state).load(std::memory_order_acquire);
}

// Other processes read slots only under the mutex, which orders memory for
// them. What the release store adds is program order: the compiler may not
// sink the name and worker stores below the state word, so a process killed
// at any instruction leaves either a complete slot marked used or a slot
// that reads as free.
inline void StoreState(Slot& slot, uint32_t state) {
  std::atomic_ref<uint32_t>(slot.state).store(state, std::memory_order_release);
}

inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

inline bool SameNameIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

inline size_t AlignUp(size_t n) { return (n + 63) & ~size_t{63}; }

}  // namespace registry_internal

struct Registry::Header {
  using Slot = registry_internal::Slot;
  class Guard;

  // Written once by Create, read-only afterwards.
  uint64_t magic;
  uint32_t version;
  uint32_t max_users;
  uint32_t max_connections;
  uint32_t index_mask;  // index size - 1; the size is a power of two
  uint64_t slots_offset;
  uint64_t index_offset;
  uint64_t connections_offset;
  uint64_t hash_key[2];
  uint32_t default_ask;  // set by SetDefaultPrivacy before the first fork

  alignas(64) RobustMutex mutex;
  // Everything below is guarded by `mutex`; all but the repair and join
  // counters is derived from the slots.
  uint32_t count;
  uint32_t free_head;
  uint32_t used_head;  // the in-use list, oldest join first
  uint32_t used_tail;
  uint64_t next_join_sequence;
  uint64_t repairs;

  char* base() { return reinterpret_cast<char*>(this); }
  Slot* slots() { return reinterpret_cast<Slot*>(base() + slots_offset); }
  uint32_t* index() {
    return reinterpret_cast<uint32_t*>(base() + index_offset);
  }
  // connection_slot()[c]: the slot connection c holds, or kNoSlot.
  uint32_t* connection_slot() {
    return reinterpret_cast<uint32_t*>(base() + connections_offset);
  }
  std::string_view NameOf(uint32_t slot) {
    Slot& s = slots()[slot];
    return {s.name, s.name_length};
  }

  uint32_t HomeOf(std::string_view name);

  // Index position holding `name` (any letter case), or kNoSlot. At most
  // half the index is ever used, so the probe ends at an empty entry; the
  // bound only guards against a corrupt table.
  uint32_t FindPosition(std::string_view name);

  // Index position holding `slot` itself.
  uint32_t PositionOfSlot(uint32_t slot);

  void IndexInsert(uint32_t slot);

  // Backward-shift deletion: later entries of the same probe run move into
  // the hole, so lookups never need tombstones and never slow down with age.
  void IndexErase(uint32_t hole);

  void PushFree(uint32_t slot);

  // Appends `slot` to the in-use list. Crash-safe as all derived data is:
  // the list is rebuilt from the slots after a death (Rebuild). `update`:
  // called by Join (whose test hook runs halfway), not by the rebuild.
  void LinkUsed(uint32_t slot, bool update);

  void UnlinkUsed(uint32_t slot);

  // The in-use list from the slots marked used, in join order. Only a
  // repair pays for the sort.
  void RebuildUsedList();

  bool SlotLooksValid(Slot& slot);

  // Throws away every piece of derived data and rebuilds it from the slots.
  // A slot counts only if its state word says used (the write that finishes
  // a join) and its contents make sense; everything else becomes free. The
  // rebuild is idempotent: if its process is killed halfway, the mutex stays
  // in the owner-died state and the next locker simply runs it again.
  void Rebuild();

  // Waits for the mutex, reporting every kLockReportEvery (a process that
  // holds it may be stopped: SIGSTOP, a debugger), then repairs if needed.
  void LockAndRepair();

  // The broker's way in: never waits; false if another process holds it.
  bool TryLockAndRepair();

  // After the mutex was taken with `status`.
  void Repair(LockStatus status);

  // Frees whatever slot `worker` holds; its name, or nullopt if none (or a
  // stale id). Under the mutex.
  std::optional<std::string> Clear(WorkerId worker);
};

// Holds the registry's mutex for one operation and repairs the table first
// when the previous owner died. The only way the mutex is taken.
class Registry::Header::Guard {
 public:
  explicit Guard(Header* header) : header_(header) { header_->LockAndRepair(); }
  // Without waiting: locked() says whether it got the mutex.
  Guard(Header* header, std::try_to_lock_t)
      : header_(header->TryLockAndRepair() ? header : nullptr) {}
  ~Guard() {
    if (header_ != nullptr) header_->mutex.Unlock();
  }
  bool locked() const { return header_ != nullptr; }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

  Header* operator->() const { return header_; }

 private:
  Header* header_;
};

}  // namespace chat::ipc

#endif  // CHAT_IPC_REGISTRY_TABLE_H_
