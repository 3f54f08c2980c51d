// SharedMemory tests: the segment is zero-filled, shared with forked
// children both ways, owned by exactly one object, and never leaves its name
// in /dev/shm.
#include "ipc/shared_memory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "fork_support.h"

namespace chat::ipc {
namespace {

using fork_support::Child;
using fork_support::DescribeStatus;
using fork_support::ExitedWith;

class SharedMemoryTest : public testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(fork_support::LeftoverSegments(), std::vector<std::string>{})
        << "shared-memory names left in /dev/shm";
  }
};

TEST_F(SharedMemoryTest, NewSegmentIsZeroFilledAndItsNameIsAlreadyGone) {
  std::string error;
  std::optional<SharedMemory> memory = SharedMemory::Create(100000, &error);
  ASSERT_TRUE(memory) << error;
  ASSERT_NE(memory->data(), nullptr);
  EXPECT_EQ(memory->size(), 100000u);
  const char* bytes = static_cast<const char*>(memory->data());
  EXPECT_TRUE(std::all_of(bytes, bytes + memory->size(),
                          [](char c) { return c == 0; }));
  EXPECT_EQ(fork_support::LeftoverSegments(), std::vector<std::string>{})
      << "the name must be unlinked while the mapping is still in use";
}

TEST_F(SharedMemoryTest, WritesCrossForkInBothDirections) {
  std::string error;
  std::optional<SharedMemory> memory = SharedMemory::Create(4096, &error);
  ASSERT_TRUE(memory) << error;
  char* bytes = static_cast<char*>(memory->data());
  std::strcpy(bytes, "from parent");

  Child child = Child::Start([&] {
    if (std::strcmp(bytes, "from parent") != 0) return 1;
    std::strcpy(bytes + 2048, "from child");
    return 0;
  });
  std::optional<int> status = child.Wait();
  ASSERT_TRUE(ExitedWith(status, 0))
      << "the child did not see the parent's write: " << DescribeStatus(status);
  EXPECT_STREQ(bytes + 2048, "from child");
}

TEST_F(SharedMemoryTest, EachSegmentIsSeparate) {
  std::string error;
  std::optional<SharedMemory> a = SharedMemory::Create(64, &error);
  std::optional<SharedMemory> b = SharedMemory::Create(64, &error);
  ASSERT_TRUE(a && b) << error;
  static_cast<char*>(a->data())[0] = 'a';
  EXPECT_EQ(static_cast<char*>(b->data())[0], 0);
}

TEST_F(SharedMemoryTest, MoveHandsTheMappingOver) {
  std::string error;
  std::optional<SharedMemory> memory = SharedMemory::Create(64, &error);
  ASSERT_TRUE(memory) << error;
  void* data = memory->data();
  SharedMemory moved(std::move(*memory));
  EXPECT_EQ(moved.data(), data);
  EXPECT_EQ(moved.size(), 64u);
  EXPECT_EQ(memory->data(), nullptr);  // NOLINT(bugprone-use-after-move)

  std::optional<SharedMemory> other = SharedMemory::Create(128, &error);
  ASSERT_TRUE(other) << error;
  moved = std::move(*other);  // unmaps the first segment
  EXPECT_EQ(moved.size(), 128u);
}

TEST_F(SharedMemoryTest, ZeroSizeIsRefusedWithAReason) {
  std::string error;
  EXPECT_FALSE(SharedMemory::Create(0, &error));
  EXPECT_NE(error, "");
}

}  // namespace
}  // namespace chat::ipc
