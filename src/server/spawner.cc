// The spawner process and the broker's side of its control socket: requests
// with two fds attached in, {worker id, pid or -errno} out.
#include "server/spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "ipc/channel.h"
#include "protocol/reply.h"
#include "server/heap_plug.h"
#include "server/rseq.h"
#include "server/sandbox.h"
#include "server/spawn.h"
#include "server/worker.h"

namespace chat::server {
namespace {

struct RequestMessage {
  uint32_t connection;
  uint32_t generation;
  int32_t client_number;
  uint32_t way;  // WayIn
};

struct ReplyMessage {
  uint32_t connection;
  uint32_t generation;
  int32_t pid_or_error;  // > 0: the worker's pid; < 0: -errno
};

constexpr int kPassedFds = 2;  // the client socket, the worker's channel end

// What glibc's fork() sets up in a child and a raw clone does not: the
// kernel's pointer to the thread's tid (glibc reads the owner of a robust
// mutex from it; the registry's lock is one) and the robust mutex list (so
// that a worker killed holding the registry's lock still releases it).
struct ThreadState {
  void* tid_address = nullptr;
  void* robust_head = nullptr;
  size_t robust_length = 0;
};

bool ReadThreadState(ThreadState* state) {
  return prctl(PR_GET_TID_ADDRESS, &state->tid_address) == 0 &&
         state->tid_address != nullptr &&
         syscall(SYS_get_robust_list, 0, &state->robust_head,
                 &state->robust_length) == 0;
}

// fork() semantics, except that the new process is the BROKER's child, not
// the spawner's (CLONE_PARENT): the broker reaps every worker as if it had
// forked it, and the worker's PR_SET_PDEATHSIG follows the broker's death.
pid_t CloneWorker(const ThreadState& state) {
  constexpr uint64_t kFlags =
      CLONE_PARENT | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
  clone_args args{};
  args.flags = kFlags;
  args.child_tid = reinterpret_cast<uint64_t>(state.tid_address);
  // No exit_signal: with CLONE_PARENT the child takes the caller's own,
  // SIGCHLD (the spawner is a fork()ed child), and clone3 insists on 0.
  long pid = syscall(SYS_clone3, &args, sizeof args);
#if defined(__x86_64__)
  // clone3 (Linux 5.3) may be filtered out by a container's seccomp policy.
  if (pid < 0 && errno == ENOSYS) {
    pid =
        syscall(SYS_clone, kFlags | SIGCHLD, 0, nullptr, state.tid_address, 0);
  }
#endif
  if (pid == 0) {
    // The spawner never takes a robust mutex, so the inherited list is
    // empty; the kernel only has to be told where it is.
    syscall(SYS_set_robust_list, state.robust_head, state.robust_length);
  }
  return static_cast<pid_t>(pid);
}

// Reads one request; false at end of file or on a broken request (the
// broker only sends well-formed ones, so either means it is gone).
bool ReadRequest(int control, RequestMessage* request, int fds[kPassedFds]) {
  alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int) * kPassedFds)];
  iovec data{request, sizeof *request};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = space;
  message.msg_controllen = sizeof space;
  ssize_t n;
  do {
    n = recvmsg(control, &message, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  int received = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (received < kPassedFds) {
        fds[received++] = fd;
      } else {
        close(fd);
      }
    }
  }
  if (n == static_cast<ssize_t>(sizeof *request) && received == kPassedFds &&
      !(message.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    return true;
  }
  for (int i = 0; i < received; ++i) close(fds[i]);
  return false;
}

[[noreturn]] void RunSpawner(ipc::UniqueFd control, pid_t broker,
                             const SpawnContext& context) {
  // The spawner lives only as long as the broker, and holds nothing else.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != broker) _exit(1);
  int keep = control.get();
  if (keep > STDERR_FILENO + 1) {
    close_range(STDERR_FILENO + 1, static_cast<unsigned>(keep - 1), 0);
  }
  close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
  int flags = fcntl(keep, F_GETFL);
  if (flags < 0 || fcntl(keep, F_SETFL, flags & ~O_NONBLOCK) != 0) _exit(1);

  UnregisterRseq();  // see rseq.h
  PlugHeapHoles();   // see heap_plug.h
  // Every worker's stdin and stdout (spawn.h). Opened before the spawner
  // confines itself: no_new_privs and Landlock once here rather than in
  // each worker, which inherits both (sandbox.h).
  const int dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (context.sandbox != nullptr) context.sandbox->ConfineSpawner();
  ThreadState state;
  const bool can_clone = ReadThreadState(&state);
  for (;;) {
    RequestMessage request;
    int fds[kPassedFds];
    if (!ReadRequest(keep, &request, fds)) _exit(0);
    ipc::WorkerId id{request.connection, request.generation};
    pid_t pid = can_clone ? CloneWorker(state) : -1;
    int error = can_clone ? errno : ENOSYS;
    if (pid == 0) {
      BecomeWorker(
          WorkerSetup{ipc::UniqueFd(fds[0]),
                      ipc::Channel(ipc::UniqueFd(fds[1])), id, context.registry,
                      context.options, context.log, context.hash_slots,
                      request.client_number, static_cast<WayIn>(request.way),
                      context.ways_in, context.sandbox},
          broker, dev_null);
    }
    if (pid < 0) {
      std::string line =
          protocol::FormatError(protocol::ErrorCode::kTooManyConnections,
                                "cannot start a session now");
      // Best effort, as the broker's own refusals.
      (void)send(fds[0], line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      shutdown(fds[0], SHUT_WR);
    }
    close(fds[0]);
    close(fds[1]);
    ReplyMessage reply{request.connection, request.generation,
                       pid > 0 ? pid : -error};
    ssize_t sent;
    do {
      sent = send(keep, &reply, sizeof reply, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent != static_cast<ssize_t>(sizeof reply)) _exit(0);
  }
}

}  // namespace

std::optional<Spawner> Spawner::Start(const SpawnContext& context,
                                      std::string* error) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    *error = ErrnoText("socketpair", errno);
    return std::nullopt;
  }
  ipc::UniqueFd ours(fds[0]);
  ipc::UniqueFd theirs(fds[1]);
  pid_t broker = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *error = ErrnoText("fork", errno);
    return std::nullopt;
  }
  if (pid == 0) RunSpawner(std::move(theirs), broker, context);
  int flags = fcntl(ours.get(), F_GETFL);
  if (flags < 0 || fcntl(ours.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
    *error = ErrnoText("fcntl", errno);
    kill(pid, SIGKILL);  // the caller reaps it
    return std::nullopt;
  }
  return Spawner(pid, std::move(ours));
}

bool Spawner::Request(ipc::WorkerId id, int client, int channel,
                      int client_number, int* error, WayIn way) {
  RequestMessage request{id.connection, id.generation, client_number,
                         static_cast<uint32_t>(way)};
  alignas(cmsghdr) char space[CMSG_SPACE(sizeof(int) * kPassedFds)] = {};
  iovec data{&request, sizeof request};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = space;
  message.msg_controllen = sizeof space;
  cmsghdr* c = CMSG_FIRSTHDR(&message);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * kPassedFds);
  int passed[kPassedFds] = {client, channel};
  std::memcpy(CMSG_DATA(c), passed, sizeof passed);
  for (;;) {
    ssize_t sent =
        sendmsg(control_.get(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent == static_cast<ssize_t>(sizeof request)) return true;
    if (sent < 0 && errno == EINTR) continue;
    *error = sent < 0 ? errno : EPROTO;
    return false;
  }
}

SpawnerStatus Spawner::Receive(SpawnReply* reply) {
  ReplyMessage message;
  bool reset_seen = false;
  ssize_t n;
  for (;;) {
    n = recv(control_.get(), &message, sizeof message, MSG_DONTWAIT);
    if (n >= 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return SpawnerStatus::kWouldBlock;
    }
    // A spawner that died with requests unread reports ECONNRESET first,
    // then the replies it did send (see Channel::Receive).
    if (errno == ECONNRESET && !reset_seen) {
      reset_seen = true;
      continue;
    }
    return errno == ECONNRESET ? SpawnerStatus::kClosed : SpawnerStatus::kError;
  }
  if (n == 0) return SpawnerStatus::kClosed;
  if (n != static_cast<ssize_t>(sizeof message)) return SpawnerStatus::kError;
  reply->id = ipc::WorkerId{message.connection, message.generation};
  reply->pid = message.pid_or_error > 0 ? message.pid_or_error : -1;
  reply->error = message.pid_or_error > 0 ? 0 : -message.pid_or_error;
  return SpawnerStatus::kOk;
}

}  // namespace chat::server
