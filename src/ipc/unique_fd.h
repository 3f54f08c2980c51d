// UniqueFd: sole owner of one file descriptor, closed when the owner goes.
// Every fd the server opens lives in one of these, so ownership across fork()
// is a matter of which UniqueFd objects the child keeps.
#ifndef CHAT_IPC_UNIQUE_FD_H_
#define CHAT_IPC_UNIQUE_FD_H_

namespace chat::ipc {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership without closing.
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the current fd (if any) and takes `fd`.
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

}  // namespace chat::ipc

#endif  // CHAT_IPC_UNIQUE_FD_H_
