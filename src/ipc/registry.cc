// Registry: the user table in shared memory (registry.h). The segment's
// layout and the repair after a dead owner are in registry_table.h.
#include "ipc/registry.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "ipc/registry_table.h"
#include "ipc/robust_mutex.h"
#include "ipc/siphash.h"

namespace chat::ipc {

using registry_internal::AlignUp;
using registry_internal::kMagic;
using registry_internal::kMaxCapacity;
using registry_internal::kNoSlot;
using registry_internal::kSlotFree;
using registry_internal::kSlotUsed;
using registry_internal::kVersion;
using registry_internal::LoadState;
using registry_internal::lock_wait_report;
using registry_internal::Panic;
using registry_internal::RunHook;
using registry_internal::Slot;
using registry_internal::StoreState;
using registry_internal::update_hook;

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
