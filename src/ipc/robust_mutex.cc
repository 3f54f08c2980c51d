// RobustMutex: the pthread calls behind a process-shared robust mutex, with
// their return codes turned into LockStatus. Errors that only a bug can cause
// (unlocking a mutex we do not own, a corrupt mutex) abort with a message.
#include "ipc/robust_mutex.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace chat::ipc {
namespace {

[[noreturn]] void Panic(const char* call, int error) {
  std::fprintf(stderr, "robust mutex: %s failed: %s\n", call,
               std::strerror(error));
  std::abort();
}

LockStatus FromLockResult(const char* call, int result) {
  switch (result) {
    case 0:
      return LockStatus::kAcquired;
    case EOWNERDEAD:
      return LockStatus::kOwnerDied;
    case EBUSY:
      return LockStatus::kBusy;
    case ETIMEDOUT:
      return LockStatus::kTimedOut;
    case ENOTRECOVERABLE:
      return LockStatus::kNotRecoverable;
    default:
      // EDEADLK (relocking from the owning thread) or EINVAL: a bug.
      Panic(call, result);
  }
}

timespec ToTimespec(std::chrono::system_clock::time_point deadline) {
  using std::chrono::duration_cast;
  using std::chrono::floor;
  using std::chrono::nanoseconds;
  using std::chrono::seconds;
  // floor, not duration_cast, so that a deadline before the epoch still gets
  // tv_nsec in [0, 1e9), which pthread_mutex_timedlock demands.
  auto since_epoch = deadline.time_since_epoch();
  auto whole = floor<seconds>(since_epoch);
  timespec result{};
  result.tv_sec = static_cast<time_t>(whole.count());
  result.tv_nsec = static_cast<long>(
      duration_cast<nanoseconds>(since_epoch - whole).count());
  return result;
}

}  // namespace

int RobustMutex::Init() {
  pthread_mutexattr_t attr;
  int result = pthread_mutexattr_init(&attr);
  if (result != 0) return result;
  // ERRORCHECK turns relocking by the owner into EDEADLK (a loud abort)
  // instead of a silent self-deadlock; robust mutexes track the owner anyway.
  if ((result = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) ==
          0 &&
      (result = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) ==
          0 &&
      (result = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK)) ==
          0) {
    result = pthread_mutex_init(&mutex_, &attr);
  }
  pthread_mutexattr_destroy(&attr);
  return result;
}

LockStatus RobustMutex::Lock() {
  return FromLockResult("pthread_mutex_lock", pthread_mutex_lock(&mutex_));
}

LockStatus RobustMutex::TryLock() {
  // Not pthread_mutex_trylock(): on a robust mutex in the not-recoverable
  // state, glibc's trylock (2.36 at least) takes the lock word, returns
  // ENOTRECOVERABLE and never releases it (it tests the compare-and-swap's
  // old value against its own tid instead of 0), so every later locker
  // blocks for ever. timedlock with a deadline already past behaves exactly
  // like a trylock otherwise, and releases the word correctly.
  LockStatus status = LockUntil(std::chrono::system_clock::time_point{});
  return status == LockStatus::kTimedOut ? LockStatus::kBusy : status;
}

LockStatus RobustMutex::LockUntil(
    std::chrono::system_clock::time_point deadline) {
  // pthread_mutex_timedlock measures against CLOCK_REALTIME, the clock of
  // system_clock.
  timespec abstime = ToTimespec(deadline);
  return FromLockResult("pthread_mutex_timedlock",
                        pthread_mutex_timedlock(&mutex_, &abstime));
}

int RobustMutex::OwnerTid() const {
  // glibc keeps the owner's tid in the lock word of a robust mutex, with
  // the waiters and owner-died bits above it (FUTEX_TID_MASK).
  constexpr unsigned kFutexTidMask = 0x3fffffff;
  unsigned word =
      __atomic_load_n(reinterpret_cast<const unsigned*>(&mutex_.__data.__lock),
                      __ATOMIC_RELAXED);
  return static_cast<int>(word & kFutexTidMask);
}

void RobustMutex::MarkConsistent() {
  int result = pthread_mutex_consistent(&mutex_);
  if (result != 0) Panic("pthread_mutex_consistent", result);
}

void RobustMutex::Unlock() {
  int result = pthread_mutex_unlock(&mutex_);
  if (result != 0) Panic("pthread_mutex_unlock", result);
}

}  // namespace chat::ipc
