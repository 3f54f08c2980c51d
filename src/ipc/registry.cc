// Registry: the user table inside the shared segment, its index, and the
// repair that runs when a process died holding the table's mutex.
//
// Segment layout (every reference inside it is an index, never a pointer,
// because each process may map the segment at its own address):
//   Header | Slot[max_users] | index[index_size] | connection_slot[max_conns]
// The slots are the truth. The index (open addressing, linear probing,
// backward-shift deletion, keyed by the lower-cased name), the per-connection
// table, the free list and the count are derived from them and are rebuilt
// whenever a previous owner of the mutex died.
#include "ipc/registry.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "ipc/robust_mutex.h"
#include "ipc/trace_point.h"

namespace chat::ipc {
namespace {

constexpr uint64_t kMagic = 0x31676572'74616863;  // "chatreg1", little end
constexpr uint32_t kVersion = 1;
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
  uint64_t join_sequence;
  WorkerId worker;
  uint8_t name_length;
  uint8_t ask;  // privacy setting: 1 = ask, 0 = open
  char name[Registry::kMaxNameLength + 1];  // NUL-terminated for debuggers
};

Registry::UpdateHook update_hook = nullptr;

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

uint64_t Rotl(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

// SipHash-2-4, keyed with a random key per segment: names come from clients,
// and a keyed hash stops anyone from choosing names that all collide and turn
// each lookup into a scan.
uint64_t SipHash24(const uint64_t key[2], const unsigned char* in,
                   size_t length) {
  uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
  uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
  uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
  uint64_t v3 = 0x7465646279746573ULL ^ key[1];
  auto round = [&] {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  };
  size_t whole = length - length % 8;
  for (size_t i = 0; i < whole; i += 8) {
    uint64_t m = 0;
    for (int j = 0; j < 8; ++j) m |= uint64_t{in[i + j]} << (8 * j);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  uint64_t last = uint64_t{length} << 56;
  for (size_t j = 0; j < length % 8; ++j) {
    last |= uint64_t{in[whole + j]} << (8 * j);
  }
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

void RandomKey(uint64_t key[2]) {
  if (::getrandom(key, 2 * sizeof(uint64_t), 0) ==
      static_cast<ssize_t>(2 * sizeof(uint64_t))) {
    return;
  }
  // No getrandom (old kernel, seccomp): a weaker but still per-run key.
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  key[0] = static_cast<uint64_t>(now.tv_nsec) * 0x9e3779b97f4a7c15ULL ^
           static_cast<uint64_t>(now.tv_sec);
  key[1] = static_cast<uint64_t>(::getpid()) * 0xc2b2ae3d27d4eb4fULL ^ key[0];
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
  }

  void LockAndRepair() {
    switch (mutex.Lock()) {
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
    Panic("unexpected result from a blocking lock");
  }
};

// Holds the registry's mutex for one operation and repairs the table first
// when the previous owner died. The only way the mutex is taken.
class Registry::Header::Guard {
 public:
  explicit Guard(Header* header) : header_(header) { header_->LockAndRepair(); }
  ~Guard() { header_->mutex.Unlock(); }
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
  RandomKey(header->hash_key);
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

JoinResult Registry::Join(std::string_view name, WorkerId worker) {
  if (!IsValidRegistryName(name)) return JoinResult::kInvalid;
  Header::Guard table(header());
  if (worker.connection >= table->max_connections) {
    Panic("Join: connection index out of range");
  }
  if (table->connection_slot()[worker.connection] != kNoSlot) {
    Panic("Join: the connection already holds a name");
  }
  if (table->FindPosition(name) != kNoSlot) return JoinResult::kTaken;
  uint32_t index = table->free_head;
  if (index == kNoSlot) return JoinResult::kFull;

  Slot& slot = table->slots()[index];
  table->free_head = slot.next_free;
  slot.join_sequence = table->next_join_sequence++;
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
  RunHook("join:indexed");
  return JoinResult::kJoined;
}

std::optional<std::string> Registry::Leave(WorkerId worker) {
  Header::Guard table(header());
  if (worker.connection >= table->max_connections) return std::nullopt;
  uint32_t index = table->connection_slot()[worker.connection];
  if (index == kNoSlot) return std::nullopt;
  Slot& slot = table->slots()[index];
  // A stale id: the connection index now belongs to a newer worker.
  if (!(slot.worker == worker)) return std::nullopt;

  std::string name(table->NameOf(index));
  uint32_t position = table->PositionOfSlot(index);
  // The commit point, first: from here on the name is gone even if the
  // process dies before the derived data below catches up.
  StoreState(slot, kSlotFree);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  RunHook("leave:state-cleared");

  table->IndexErase(position);
  table->connection_slot()[worker.connection] = kNoSlot;
  table->PushFree(index);
  --table->count;
  return name;
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
  std::vector<std::pair<uint64_t, std::string>> joined;
  {
    Header::Guard table(header());
    joined.reserve(table->count);
    Slot* slots = table->slots();
    for (uint32_t i = 0; i < table->max_users; ++i) {
      if (LoadState(slots[i]) == kSlotUsed) {
        joined.emplace_back(slots[i].join_sequence, table->NameOf(i));
      }
    }
  }
  std::sort(joined.begin(), joined.end());
  std::vector<std::string> names;
  names.reserve(joined.size());
  for (auto& entry : joined) names.push_back(std::move(entry.second));
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
