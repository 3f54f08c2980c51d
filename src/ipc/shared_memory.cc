// SharedMemory: creates one POSIX shared-memory object, maps it MAP_SHARED
// and removes its name at once, so the mapping is reachable only through
// fork() inheritance and nothing can be left behind in /dev/shm.
#include "ipc/shared_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "ipc/unique_fd.h"

namespace chat::ipc {
namespace {

// O_EXCL makes a name clash (a leftover of a dead process that had our pid)
// an error instead of a silent share; a few fresh names get past it.
constexpr int kNameAttempts = 64;

std::atomic<unsigned> name_counter{0};

std::string FreshName() {
  return "/chat-server." + std::to_string(::getpid()) + "." +
         std::to_string(name_counter.fetch_add(1, std::memory_order_relaxed));
}

std::string Describe(const char* what, const std::string& name, int error) {
  return std::string(what) + " " + name + ": " + std::strerror(error);
}

}  // namespace

std::optional<SharedMemory> SharedMemory::Create(size_t size,
                                                 std::string* error) {
  if (size == 0) {
    *error = "shared memory: size must not be zero";
    return std::nullopt;
  }
  UniqueFd fd;
  std::string name;
  for (int attempt = 0; attempt < kNameAttempts && !fd; ++attempt) {
    name = FreshName();
    fd.Reset(::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                        S_IRUSR | S_IWUSR));
    if (!fd && errno != EEXIST) {
      *error = Describe("shm_open", name, errno);
      return std::nullopt;
    }
  }
  if (!fd) {
    *error = "shm_open: no free name after " + std::to_string(kNameAttempts) +
             " attempts (last " + name + ")";
    return std::nullopt;
  }
  // Unlink before anything else can fail or the process can be killed: the
  // open descriptor and then the mapping keep the object alive, and workers
  // get the mapping through fork(), never through the name. The only window
  // in which a crash leaves a name behind is these two system calls apart.
  ::shm_unlink(name.c_str());

  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    *error = Describe("ftruncate", name, errno);
    return std::nullopt;
  }
  void* data =
      ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (data == MAP_FAILED) {
    *error = Describe("mmap", name, errno);
    return std::nullopt;
  }
  // The mapping holds its own reference to the object; the fd can go.
  return SharedMemory(data, size);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SharedMemory::~SharedMemory() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace chat::ipc
