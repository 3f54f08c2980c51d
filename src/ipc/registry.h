// Registry: the table of registered users, shared by the broker and every
// worker through one POSIX shared-memory segment and guarded by one robust,
// process-shared mutex.
//
// The broker creates it before the first fork; workers inherit the mapping.
// Join, Lookup and Leave are O(1) in the number of users (an open-addressing
// index and a per-connection table inside the segment); Names() walks an
// in-use list kept in join order, so LIST costs the registered users, not
// max_users.
//
// Crash safety: every slot carries a state word written last when a slot is
// filled and first when it is emptied. The index, the free list, the in-use
// list and the count are derived data. A locker that finds the previous owner
// dead (EOWNERDEAD) throws the derived data away and rebuilds it from the
// slots, treating any slot caught half-written as free, so an interrupted
// update leaves no trace.
#ifndef CHAT_IPC_REGISTRY_H_
#define CHAT_IPC_REGISTRY_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/shared_memory.h"
#include "ipc/worker_id.h"

namespace chat::ipc {

enum class JoinResult {
  kJoined,
  kTaken,    // the name is registered, in any letter case, by another worker
  kFull,     // max_users names are registered
  kInvalid,  // not [A-Za-z0-9]{1,32}
  kAddressFull,  // JoinLimit::max names are registered from its group
};

// A cap on the names registered from one group of connections (the
// per-address limit: one client address, or IPv6 /64): group 0 is
// unlimited.
struct JoinLimit {
  uint64_t group = 0;
  uint32_t max = 0;
};

struct RegisteredUser {
  std::string name;  // spelled as at JOIN
  WorkerId worker;
  // Privacy "ask": only users it accepted may send it private messages.
  bool ask = false;
};

class Registry {
 public:
  static constexpr size_t kMaxNameLength = 32;

  // Creates, maps and initialises the segment (mutex included) for at most
  // `max_users` names held by at most `max_connections` connections.
  static std::optional<Registry> Create(uint32_t max_users,
                                        uint32_t max_connections,
                                        std::string* error);

  Registry(Registry&&) noexcept = default;
  Registry& operator=(Registry&&) noexcept = default;

  // Registers `name` for `worker`. Checked in the order kInvalid, kTaken,
  // kFull. A connection holds at most one name: the caller (the worker)
  // refuses a second JOIN itself, and the broker calls Leave() before it
  // reuses a connection index; breaking either, or passing a connection
  // index >= max_connections, is a bug and aborts.
  // With a `limit`, kAddressFull (checked after kFull) when limit.max names
  // of its group are registered; counting walks the slots, so only limited
  // connections pay for it, once each.
  JoinResult Join(std::string_view name, WorkerId worker, JoinLimit limit = {});

  // Removes whatever name `worker` holds; returns it, or nullopt if it held
  // none (never joined, already removed, or a stale id whose connection
  // index now belongs to a newer generation). O(1).
  std::optional<std::string> Leave(WorkerId worker);

  // As Leave, but never waits for the mutex (the broker must not block on
  // a worker, which may be stopped while it holds it): nullopt when another
  // process holds it, else what Leave would return. A name left behind this
  // way is cleared by a later TryLeave, or by the next Join on the same
  // connection index.
  std::optional<std::optional<std::string>> TryLeave(WorkerId worker);

  // Finds a registered name without regard to letter case.
  std::optional<RegisteredUser> Lookup(std::string_view name);

  // All registered names in the order they joined; O(registered users).
  std::vector<std::string> Names();

  // Privacy settings (PROTOCOL.md "Private-message requests"). A name
  // starts with the default, which the broker sets once before the first
  // fork. SetPrivacy changes the setting of the name `worker` holds (false
  // if it holds none). The setting is one byte of the slot, written under
  // the mutex: a crash leaves the old value or the new one.
  void SetDefaultPrivacy(bool ask);
  bool SetPrivacy(WorkerId worker, bool ask);

  size_t Count();
  uint32_t max_users() const;
  uint32_t max_connections() const;

  // How many times a locker found the previous owner dead and repaired the
  // table; for tests and the status log.
  uint64_t repairs();

  // Test hook: called with the lock held at named points inside Join,
  // Leave and the repair, so a test can SIGKILL a process in the middle of
  // an update. Stages: "join:slot-written" (name stored, state not yet
  // final), "join:listing" (committed, indexed, linked into the in-use
  // list from its predecessor but not yet its tail), "join:indexed"
  // (committed, indexed and listed), "leave:state-cleared" (state cleared,
  // index not yet), "leave:unlisting" (unlinked from its predecessor, not
  // yet from its successor), "repair:derived-cleared" (a repair has thrown
  // the derived data away, nothing rebuilt yet). Null (the default)
  // costs one test.
  using UpdateHook = void (*)(const char* stage);
  static void SetUpdateHookForTesting(UpdateHook hook);

  // Called (in the waiting process) each second a locker has waited for
  // the mutex, with the time waited so far and the thread id holding it
  // (0 if unknown); it goes on waiting. The worker logs it.
  using LockWaitReport = void (*)(std::chrono::seconds waited, int holder);
  static void SetLockWaitReport(LockWaitReport report);

  // Cross-checks the slots against every piece of derived data (index,
  // connection table, free list, in-use list, count), repairing first if an
  // owner died. Returns "" when all agree, else what is wrong.
  std::string CheckInvariantsForTesting();

 private:
  explicit Registry(SharedMemory memory);
  struct Header;
  Header* header() const;

  SharedMemory memory_;
};

// True when `name` matches [A-Za-z0-9]{1,32}.
bool IsValidRegistryName(std::string_view name);

}  // namespace chat::ipc

#endif  // CHAT_IPC_REGISTRY_H_
