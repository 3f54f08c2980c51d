// RobustMutex tests: a process-shared robust mutex whose owner is SIGKILLed
// (or exits) while holding it is handed on as kOwnerDied through every lock
// path, and left unrepaired it becomes kNotRecoverable. Real processes, in
// the manner of glibc's nptl/tst-robust8.c, synchronised through pipes.
#include "ipc/robust_mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <new>
#include <optional>
#include <string>

#include "fork_support.h"
#include "ipc/shared_memory.h"

namespace chat::ipc {
namespace {

using fork_support::Child;
using fork_support::DescribeStatus;
using fork_support::ExitedWith;
using fork_support::MakePipe;
using fork_support::Pipe;
using fork_support::ReadByte;
using fork_support::WriteByte;

constexpr uint8_t kLocked = 'L';

class RobustMutexTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    memory_ = SharedMemory::Create(sizeof(RobustMutex), &error);
    ASSERT_TRUE(memory_) << error;
    mutex_ = new (memory_->data()) RobustMutex;
    ASSERT_EQ(mutex_->Init(), 0);
  }

  void TearDown() override {
    EXPECT_EQ(fork_support::LeftoverSegments(), std::vector<std::string>{})
        << "shared-memory names left in /dev/shm";
  }

  // A child that takes the mutex, says so through a pipe, and waits to be
  // killed. Returns once the child holds the mutex.
  Child StartOwner() {
    Pipe locked = MakePipe();
    Child owner = Child::Start([&] {
      if (mutex_->Lock() != LockStatus::kAcquired) return 1;
      WriteByte(locked.write.get(), kLocked);
      fork_support::WaitToBeKilled();
    });
    locked.write.Reset();
    std::optional<uint8_t> byte = ReadByte(locked.read.get());
    EXPECT_EQ(byte, std::optional<uint8_t>(kLocked))
        << "the owner child did not report holding the mutex";
    return owner;
  }

  std::optional<SharedMemory> memory_;
  RobustMutex* mutex_ = nullptr;
};

TEST_F(RobustMutexTest, UncontendedLockTryLockAndUnlock) {
  EXPECT_EQ(mutex_->Lock(), LockStatus::kAcquired);
  mutex_->Unlock();
  EXPECT_EQ(mutex_->TryLock(), LockStatus::kAcquired);
  mutex_->Unlock();
  EXPECT_EQ(mutex_->LockUntil(std::chrono::system_clock::now()),
            LockStatus::kAcquired);
  mutex_->Unlock();
}

TEST_F(RobustMutexTest, OwnerKilledWhileHoldingHandsOverOwnerDiedOnce) {
  Child owner = StartOwner();
  owner.Kill();

  ASSERT_EQ(mutex_->Lock(), LockStatus::kOwnerDied);
  mutex_->MarkConsistent();
  mutex_->Unlock();
  EXPECT_EQ(mutex_->Lock(), LockStatus::kAcquired)
      << "after MarkConsistent the mutex must be an ordinary mutex again";
  mutex_->Unlock();
}

TEST_F(RobustMutexTest, OwnerExitingWithoutUnlockCountsAsDead) {
  Child owner = Child::Start(
      [&] { return mutex_->Lock() == LockStatus::kAcquired ? 0 : 1; });
  std::optional<int> status = owner.Wait();
  ASSERT_TRUE(ExitedWith(status, 0)) << DescribeStatus(status);

  ASSERT_EQ(mutex_->Lock(), LockStatus::kOwnerDied);
  mutex_->MarkConsistent();
  mutex_->Unlock();
}

TEST_F(RobustMutexTest, WaiterBlockedWhenOwnerIsKilledGetsOwnerDied) {
  Child owner = StartOwner();

  Pipe report = MakePipe();
  Child waiter = Child::Start([&] {
    // First prove the owner really holds it, then block in Lock().
    WriteByte(report.write.get(), static_cast<uint8_t>(mutex_->TryLock()));
    LockStatus status = mutex_->Lock();
    WriteByte(report.write.get(), static_cast<uint8_t>(status));
    if (status != LockStatus::kOwnerDied) return 1;
    mutex_->MarkConsistent();
    mutex_->Unlock();
    return 0;
  });
  report.write.Reset();

  std::optional<uint8_t> try_status = ReadByte(report.read.get());
  ASSERT_TRUE(try_status) << "the waiter reported nothing";
  EXPECT_EQ(static_cast<LockStatus>(*try_status), LockStatus::kBusy);
  ASSERT_TRUE(fork_support::WaitUntilBlockedInFutex(waiter.pid()))
      << "the waiter never blocked in Lock()";

  owner.Kill();

  std::optional<uint8_t> lock_status = ReadByte(report.read.get());
  ASSERT_TRUE(lock_status) << "the blocked waiter was not woken";
  EXPECT_EQ(static_cast<LockStatus>(*lock_status), LockStatus::kOwnerDied);
  std::optional<int> status = waiter.Wait();
  EXPECT_TRUE(ExitedWith(status, 0)) << DescribeStatus(status);

  EXPECT_EQ(mutex_->Lock(), LockStatus::kAcquired)
      << "the waiter marked the mutex consistent and unlocked it";
  mutex_->Unlock();
}

TEST_F(RobustMutexTest, TryLockIsBusyWhileOwnerLivesThenOwnerDied) {
  Child owner = StartOwner();
  EXPECT_EQ(mutex_->TryLock(), LockStatus::kBusy);
  owner.Kill();

  ASSERT_EQ(mutex_->TryLock(), LockStatus::kOwnerDied);
  mutex_->MarkConsistent();
  mutex_->Unlock();
  EXPECT_EQ(mutex_->TryLock(), LockStatus::kAcquired);
  mutex_->Unlock();
}

TEST_F(RobustMutexTest, LockUntilTimesOutWhileOwnerLivesThenOwnerDied) {
  Child owner = StartOwner();
  auto start = std::chrono::system_clock::now();
  EXPECT_EQ(mutex_->LockUntil(start + std::chrono::milliseconds(20)),
            LockStatus::kTimedOut);
  EXPECT_EQ(mutex_->LockUntil(start - std::chrono::hours(1)),
            LockStatus::kTimedOut)
      << "a deadline already past must still be honoured, not rejected";
  owner.Kill();

  ASSERT_EQ(
      mutex_->LockUntil(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(fork_support::kTimeoutMs)),
      LockStatus::kOwnerDied);
  mutex_->MarkConsistent();
  mutex_->Unlock();
}

TEST_F(RobustMutexTest, UnlockWithoutMarkConsistentMakesItNotRecoverable) {
  Child owner = StartOwner();
  owner.Kill();

  ASSERT_EQ(mutex_->Lock(), LockStatus::kOwnerDied);
  mutex_->Unlock();  // documented pthread behaviour: unrecoverable for good

  EXPECT_EQ(mutex_->Lock(), LockStatus::kNotRecoverable);
  EXPECT_EQ(mutex_->TryLock(), LockStatus::kNotRecoverable);
  EXPECT_EQ(mutex_->LockUntil(std::chrono::system_clock::now()),
            LockStatus::kNotRecoverable);
  EXPECT_EQ(mutex_->Lock(), LockStatus::kNotRecoverable);

  // Nothing above may have left the lock word taken: another process is
  // told too, at once, instead of hanging.
  Child other = Child::Start([&] {
    return mutex_->Lock() == LockStatus::kNotRecoverable &&
                   mutex_->TryLock() == LockStatus::kNotRecoverable
               ? 0
               : 1;
  });
  std::optional<int> status = other.Wait();
  EXPECT_TRUE(ExitedWith(status, 0)) << DescribeStatus(status);
}

// gtest runs *DeathTest suites first, before any other test has forked.
using RobustMutexDeathTest = RobustMutexTest;

TEST_F(RobustMutexDeathTest, RelockByOwnerAbortsInsteadOfDeadlocking) {
  EXPECT_DEATH(
      {
        mutex_->Lock();
        mutex_->Lock();
      },
      "pthread_mutex_lock failed");
  // The death-test child died holding the shared mutex.
  ASSERT_EQ(mutex_->Lock(), LockStatus::kOwnerDied);
  mutex_->MarkConsistent();
  mutex_->Unlock();
}

}  // namespace
}  // namespace chat::ipc
