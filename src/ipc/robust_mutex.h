// RobustMutex: a pthread mutex placed in shared memory, shared between
// processes (PTHREAD_PROCESS_SHARED) and robust (PTHREAD_MUTEX_ROBUST): when
// its owner dies, even by SIGKILL, the next locker is told so instead of
// waiting forever. Repairing the data it guards is the caller's job.
#ifndef CHAT_IPC_ROBUST_MUTEX_H_
#define CHAT_IPC_ROBUST_MUTEX_H_

#include <pthread.h>

#include <chrono>

namespace chat::ipc {

enum class LockStatus {
  kAcquired,        // locked, data consistent
  kOwnerDied,       // locked, but the previous owner died holding it
                    // (EOWNERDEAD): repair, then MarkConsistent()
  kBusy,            // TryLock only: someone else holds it
  kTimedOut,        // LockUntil only: the deadline passed
  kNotRecoverable,  // ENOTRECOVERABLE: an owner died and nobody repaired
};

// Lives inside a shared mapping; construct it there with Init() exactly once
// (in the process that creates the mapping, before any fork).
class RobustMutex {
 public:
  // Initialises the mutex in place (process-shared, robust, error-checking).
  // Returns 0 or an errno value.
  int Init();

  // kAcquired, kOwnerDied or kNotRecoverable. Relocking from the owning
  // thread is a bug and aborts rather than deadlocking.
  LockStatus Lock();
  // As Lock(), or kBusy at once when another owner holds it.
  LockStatus TryLock();
  // As Lock(), or kTimedOut when `deadline` (CLOCK_REALTIME) passes first.
  LockStatus LockUntil(std::chrono::system_clock::time_point deadline);
  // After kOwnerDied and a repair: makes the mutex usable again. Unlocking
  // without it leaves the mutex kNotRecoverable for everyone, for good.
  void MarkConsistent();
  // Aborts if the caller does not own the mutex.
  void Unlock();
  // The thread id of the current owner, 0 if none; a snapshot for reports
  // only (read without the lock, from glibc's mutex layout).
  int OwnerTid() const;

 private:
  pthread_mutex_t mutex_;
};

}  // namespace chat::ipc

#endif  // CHAT_IPC_ROBUST_MUTEX_H_
