// Registry: the user table inside the shared segment, its index, and the
// repair that runs when a process died holding the table's mutex.
//
// Segment layout (every reference inside it is an index, never a pointer,
// because each process may map the segment at its own address):
//   Header | Slot[max_users] | index[index_size] | connection_slot[max_conns]
// The slots are the truth. The index (open addressing, linear probing,
// backward-shift deletion, keyed by the lower-cased name), the per-connection
// table, the free list, the in-use list and the count are derived from them
// and are rebuilt whenever a previous owner of the mutex died.
#include "ipc/registry.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "ipc/robust_mutex.h"
#include "ipc/siphash.h"
#include "ipc/trace_point.h"

namespace chat::ipc {
namespace {

constexpr uint64_t kMagic = 0x31676572'74616863;  // "chatreg1", little end
constexpr uint32_t kVersion = 2;
// Bounds the segment (under 80 MiB at the limit) and keeps every index and
// count in 32 bits.
constexpr uint32_t kMaxCapacity = 1u << 20;
constexpr uint32_t kNoSlot = UINT32_MAX;

// A slot is registered exactly when its state word holds kSlotUsed; any other
// value, including whatever a crash left behind, reads as free. The word is
// stored last when a slot is filled and first when it is emptied.
constexpr uint32_t kSlotFree = 0;
constexpr uint32_t kSlotUsed = 0x55534544;  // "USED"

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

Registry::UpdateHook update_hook = nullptr;
Registry::LockWaitReport lock_wait_report = nullptr;
// How long a locker waits before it reports, and again between reports.
constexpr std::chrono::seconds kLockReportEvery{1};

void RunHook(const char* stage) {
  TracePoint(stage);
  if (update_hook != nullptr) update_hook(stage);
}

[[noreturn]] void Panic(const char* what) {
  std::fprintf(stderr, "registry: %s\n", what);
  std::abort();
}

uint32_t LoadState(Slot& slot) {
  return std::atomic_ref<uint32_t>(slot.state).load(std::memory_order_acquire);
}

// Other processes read slots only under the mutex, which orders memory for
// them. What the release store adds is program order: the compiler may not
// sink the name and worker stores below the state word, so a process killed
// at any instruction leaves either a complete slot marked used or a slot
// that reads as free.
void StoreState(Slot& slot, uint32_t state) {
  std::atomic_ref<uint32_t>(slot.state).store(state, std::memory_order_release);
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

bool SameNameIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

size_t AlignUp(size_t n) { return (n + 63) & ~size_t{63}; }

}  // namespace

struct Registry::Header {
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

  uint32_t HomeOf(std::string_view name) {
    unsigned char lower[kMaxNameLength];
    size_t length = std::min(name.size(), kMaxNameLength);
    for (size_t i = 0; i < length; ++i) {
      lower[i] = static_cast<unsigned char>(AsciiLower(name[i]));
    }
    return static_cast<uint32_t>(SipHash24(hash_key, lower, length)) &
           index_mask;
  }

  // Index position holding `name` (any letter case), or kNoSlot. At most
  // half the index is ever used, so the probe ends at an empty entry; the
  // bound only guards against a corrupt table.
  uint32_t FindPosition(std::string_view name) {
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
  uint32_t PositionOfSlot(uint32_t slot) {
    uint32_t* entries = index();
    uint32_t position = HomeOf(NameOf(slot));
    for (uint32_t probes = 0; probes <= index_mask; ++probes) {
      if (entries[position] == slot) return position;
      if (entries[position] == kNoSlot) break;
      position = (position + 1) & index_mask;
    }
    Panic("index does not hold a registered slot");
  }

  void IndexInsert(uint32_t slot) {
    uint32_t* entries = index();
    uint32_t position = HomeOf(NameOf(slot));
    while (entries[position] != kNoSlot) {
      position = (position + 1) & index_mask;
    }
    entries[position] = slot;
  }

  // Backward-shift deletion: later entries of the same probe run move into
  // the hole, so lookups never need tombstones and never slow down with age.
  void IndexErase(uint32_t hole) {
    uint32_t* entries = index();
    uint32_t position = hole;
    for (;;) {
      position = (position + 1) & index_mask;
      uint32_t slot = entries[position];
      if (slot == kNoSlot) break;
      uint32_t home = HomeOf(NameOf(slot));
      // The entry may fill the hole only if the hole lies on its probe path,
      // i.e. cyclically within [home, position).
      if (((position - home) & index_mask) >=
          ((position - hole) & index_mask)) {
        entries[hole] = slot;
        hole = position;
      }
    }
    entries[hole] = kNoSlot;
  }

  void PushFree(uint32_t slot) {
    slots()[slot].next_free = free_head;
    free_head = slot;
  }

  // Appends `slot` to the in-use list. Crash-safe as all derived data is:
  // the list is rebuilt from the slots after a death (Rebuild). `update`:
  // called by Join (whose test hook runs halfway), not by the rebuild.
  void LinkUsed(uint32_t slot, bool update) {
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

  void UnlinkUsed(uint32_t slot) {
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
  void RebuildUsedList() {
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

  bool SlotLooksValid(Slot& slot) {
    return slot.name_length >= 1 && slot.name_length <= kMaxNameLength &&
           IsValidRegistryName({slot.name, slot.name_length}) &&
           slot.worker.connection < max_connections;
  }

  // Throws away every piece of derived data and rebuilds it from the slots.
  // A slot counts only if its state word says used (the write that finishes
  // a join) and its contents make sense; everything else becomes free. The
  // rebuild is idempotent: if its process is killed halfway, the mutex stays
  // in the owner-died state and the next locker simply runs it again.
  void Rebuild() {
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
  void LockAndRepair() {
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
  bool TryLockAndRepair() {
    LockStatus status = mutex.TryLock();
    if (status == LockStatus::kBusy) return false;
    Repair(status);
    return true;
  }

  // After the mutex was taken with `status`.
  void Repair(LockStatus status) {
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
  std::optional<std::string> Clear(WorkerId worker) {
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

bool IsValidRegistryName(std::string_view name) {
  if (name.empty() || name.size() > Registry::kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9');
  });
}

std::optional<Registry> Registry::Create(uint32_t max_users,
                                         uint32_t max_connections,
                                         std::string* error) {
  if (max_users < 1 || max_users > kMaxCapacity) {
    *error = "registry: max users must be between 1 and " +
             std::to_string(kMaxCapacity);
    return std::nullopt;
  }
  if (max_connections < 1 || max_connections > kMaxCapacity) {
    *error = "registry: max connections must be between 1 and " +
             std::to_string(kMaxCapacity);
    return std::nullopt;
  }
  // Twice the users, rounded up to a power of two: the load factor stays at
  // or below one half, so linear probes stay short.
  uint32_t index_size = std::bit_ceil(2 * max_users);
  size_t slots_offset = AlignUp(sizeof(Header));
  size_t index_offset = AlignUp(slots_offset + sizeof(Slot) * max_users);
  size_t connections_offset =
      AlignUp(index_offset + sizeof(uint32_t) * index_size);
  size_t size = connections_offset + sizeof(uint32_t) * max_connections;

  std::optional<SharedMemory> memory = SharedMemory::Create(size, error);
  if (!memory) return std::nullopt;

  // The segment arrives zero-filled: every slot is free (kSlotFree == 0).
  auto* header = new (memory->data()) Header();
  header->magic = kMagic;
  header->version = kVersion;
  header->max_users = max_users;
  header->max_connections = max_connections;
  header->index_mask = index_size - 1;
  header->slots_offset = slots_offset;
  header->index_offset = index_offset;
  header->connections_offset = connections_offset;
  RandomSipHashKey(header->hash_key);
  header->next_join_sequence = 1;
  if (int result = header->mutex.Init(); result != 0) {
    *error =
        std::string("registry: pthread_mutex_init: ") + std::strerror(result);
    return std::nullopt;
  }
  header->Rebuild();
  return Registry(std::move(*memory));
}

Registry::Registry(SharedMemory memory) : memory_(std::move(memory)) {}

Registry::Header* Registry::header() const {
  auto* header = static_cast<Header*>(memory_.data());
  if (header == nullptr || header->magic != kMagic ||
      header->version != kVersion) {
    Panic("used after a move, or the segment is corrupt");
  }
  return header;
}

JoinResult Registry::Join(std::string_view name, WorkerId worker,
                          JoinLimit limit) {
  if (!IsValidRegistryName(name)) return JoinResult::kInvalid;
  Header::Guard table(header());
  if (worker.connection >= table->max_connections) {
    Panic("Join: connection index out of range");
  }
  if (uint32_t held = table->connection_slot()[worker.connection];
      held != kNoSlot) {
    // A worker that died holding a name while the broker could not take the
    // mutex (TryLeave) leaves it to the next worker of its connection index.
    WorkerId previous = table->slots()[held].worker;
    if (previous.generation == worker.generation) {
      Panic("Join: the connection already holds a name");
    }
    table->Clear(previous);
  }
  if (table->FindPosition(name) != kNoSlot) return JoinResult::kTaken;
  uint32_t index = table->free_head;
  if (index == kNoSlot) return JoinResult::kFull;
  if (limit.group != 0 && table->count >= limit.max) {
    // Walks the users on line, not every slot (--max-users may be far
    // larger), and stops at the cap.
    uint32_t same = 0;
    Slot* all = table->slots();
    for (uint32_t i = table->used_head; i != kNoSlot && same < limit.max;
         i = all[i].used_next) {
      same += all[i].group == limit.group;
    }
    if (same >= limit.max) return JoinResult::kAddressFull;
  }

  Slot& slot = table->slots()[index];
  table->free_head = slot.next_free;
  slot.join_sequence = table->next_join_sequence++;
  slot.group = limit.group;
  slot.worker = worker;
  slot.name_length = static_cast<uint8_t>(name.size());
  slot.ask = table->default_ask != 0;
  std::memcpy(slot.name, name.data(), name.size());
  slot.name[name.size()] = '\0';
  RunHook("join:slot-written");
  // The commit point: from this store on, the join survives a crash.
  StoreState(slot, kSlotUsed);

  table->IndexInsert(index);
  table->connection_slot()[worker.connection] = index;
  ++table->count;
  table->LinkUsed(index, true);
  RunHook("join:indexed");
  return JoinResult::kJoined;
}

std::optional<std::string> Registry::Leave(WorkerId worker) {
  Header::Guard table(header());
  return table->Clear(worker);
}

std::optional<std::optional<std::string>> Registry::TryLeave(WorkerId worker) {
  Header::Guard table(header(), std::try_to_lock);
  if (!table.locked()) return std::nullopt;
  return table->Clear(worker);
}

std::optional<RegisteredUser> Registry::Lookup(std::string_view name) {
  if (!IsValidRegistryName(name)) return std::nullopt;
  Header::Guard table(header());
  uint32_t position = table->FindPosition(name);
  if (position == kNoSlot) return std::nullopt;
  uint32_t index = table->index()[position];
  return RegisteredUser{std::string(table->NameOf(index)),
                        table->slots()[index].worker,
                        table->slots()[index].ask != 0};
}

void Registry::SetDefaultPrivacy(bool ask) { header()->default_ask = ask; }

bool Registry::SetPrivacy(WorkerId worker, bool ask) {
  Header::Guard table(header());
  if (worker.connection >= table->max_connections) return false;
  uint32_t index = table->connection_slot()[worker.connection];
  if (index == kNoSlot || !(table->slots()[index].worker == worker)) {
    return false;
  }
  table->slots()[index].ask = ask;
  return true;
}

std::vector<std::string> Registry::Names() {
  std::vector<std::string> names;
  Header::Guard table(header());
  names.reserve(table->count);
  // The in-use list is in join order and holds exactly the used slots
  // (CheckInvariantsForTesting); the bound only guards against a corrupt
  // table.
  Slot* slots = table->slots();
  for (uint32_t slot = table->used_head;
       slot != kNoSlot && names.size() < table->count;
       slot = slots[slot].used_next) {
    names.emplace_back(table->NameOf(slot));
  }
  return names;
}

size_t Registry::Count() {
  Header::Guard table(header());
  return table->count;
}

uint32_t Registry::max_users() const { return header()->max_users; }

uint32_t Registry::max_connections() const { return header()->max_connections; }

uint64_t Registry::repairs() {
  Header::Guard table(header());
  return table->repairs;
}

void Registry::SetUpdateHookForTesting(UpdateHook hook) { update_hook = hook; }

void Registry::SetLockWaitReport(LockWaitReport report) {
  lock_wait_report = report;
}

std::string Registry::CheckInvariantsForTesting() {
  Header::Guard table(header());
  Slot* slots = table->slots();
  uint32_t used = 0;
  for (uint32_t i = 0; i < table->max_users; ++i) {
    Slot& slot = slots[i];
    uint32_t state = LoadState(slot);
    if (state == kSlotFree) continue;
    if (state != kSlotUsed) return "slot with a stray state word";
    ++used;
    if (!table->SlotLooksValid(slot)) return "used slot with bad contents";
    uint32_t position = table->FindPosition(table->NameOf(i));
    if (position == kNoSlot || table->index()[position] != i) {
      return "used slot " + std::string(table->NameOf(i)) + " not indexed";
    }
    if (table->connection_slot()[slot.worker.connection] != i) {
      return "used slot " + std::string(table->NameOf(i)) +
             " not in the connection table";
    }
    if (slot.join_sequence >= table->next_join_sequence) {
      return "join sequence not below the counter";
    }
  }
  if (used != table->count) {
    return "count " + std::to_string(table->count) + " but " +
           std::to_string(used) + " used slots";
  }
  uint32_t indexed = 0;
  for (uint32_t p = 0; p <= table->index_mask; ++p) {
    uint32_t slot = table->index()[p];
    if (slot == kNoSlot) continue;
    ++indexed;
    if (slot >= table->max_users || LoadState(slots[slot]) != kSlotUsed) {
      return "index entry for a free slot";
    }
  }
  if (indexed != used) return "index holds a different number of entries";
  uint32_t held = 0;
  for (uint32_t c = 0; c < table->max_connections; ++c) {
    uint32_t slot = table->connection_slot()[c];
    if (slot == kNoSlot) continue;
    ++held;
    if (slot >= table->max_users || LoadState(slots[slot]) != kSlotUsed ||
        slots[slot].worker.connection != c) {
      return "connection table entry for a wrong slot";
    }
  }
  if (held != used) return "connection table holds a different count";
  uint32_t listed = 0;
  uint32_t previous = kNoSlot;
  for (uint32_t slot = table->used_head; slot != kNoSlot;
       slot = slots[slot].used_next) {
    if (slot >= table->max_users || LoadState(slots[slot]) != kSlotUsed) {
      return "in-use list holds a free or bad slot";
    }
    if (slots[slot].used_prev != previous) return "in-use list: bad back link";
    if (previous != kNoSlot &&
        slots[previous].join_sequence >= slots[slot].join_sequence) {
      return "in-use list out of join order";
    }
    if (++listed > table->max_users) return "in-use list has a cycle";
    previous = slot;
  }
  if (previous != table->used_tail) return "in-use list: bad tail";
  if (listed != used) return "in-use list holds a different count";
  uint32_t free_count = 0;
  for (uint32_t slot = table->free_head; slot != kNoSlot;
       slot = slots[slot].next_free) {
    if (slot >= table->max_users || LoadState(slots[slot]) != kSlotFree) {
      return "free list holds a used or bad slot";
    }
    if (++free_count > table->max_users) return "free list has a cycle";
  }
  if (free_count + used != table->max_users) {
    return "free list misses slots";
  }
  return "";
}

}  // namespace chat::ipc
