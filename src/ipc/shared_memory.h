// SharedMemory: one POSIX shared-memory object (shm_open, ftruncate, mmap),
// mapped once and kept mapped for the life of the owner.
//
// The name is unlinked as soon as the object is open, before it is sized or
// mapped. Every process that needs the segment inherits the mapping through
// fork(), so the name is useless after that, and unlinking at once means
// nothing is left in /dev/shm however the server ends, SIGKILL of the broker
// included.
#ifndef CHAT_IPC_SHARED_MEMORY_H_
#define CHAT_IPC_SHARED_MEMORY_H_

#include <cstddef>
#include <optional>
#include <string>

namespace chat::ipc {

class SharedMemory {
 public:
  // Creates a zero-filled segment of `size` bytes under a fresh unique name
  // ("/chat-server.<pid>.<n>"), unlinks the name and maps it MAP_SHARED.
  // On failure returns nullopt and describes why in *error.
  static std::optional<SharedMemory> Create(size_t size, std::string* error);

  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  // Unmaps. Never call while another thread of this process may still use it
  // (glibc bug 14485: an unlock racing an unmap can corrupt a page).
  ~SharedMemory();

  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  SharedMemory(void* data, size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace chat::ipc

#endif  // CHAT_IPC_SHARED_MEMORY_H_
