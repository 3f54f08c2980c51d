// The store process's loop: read a batch of frames, handle them in one
// transaction, commit, then answer; expire old rows in between.
#include "store/store_process.h"

#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <vector>

#include "store/control.h"
#include "store/moderation.h"

namespace chat::store {
namespace {

using Clock = std::chrono::steady_clock;

// Requests per transaction at most, so a flood of requests still sees its
// answers in bounded time.
constexpr int kBatch = 256;
// How often expired rows are looked for.
constexpr std::chrono::seconds kExpireEvery{60};

// After a failed commit nothing of the batch is stored: every answer says
// so, and the askers answer their clients with an error.
void FailAll(std::vector<Answer>* answers) {
  for (Answer& answer : *answers) {
    answer.payload = Encode(static_cast<uint8_t>(Status::kFailed), {});
  }
}

}  // namespace

void RunStore(StoreSetup setup) {
  // Named so that ps(1) and the tests can tell it from the workers.
  prctl(PR_SET_NAME, kStoreProcessName);
  std::string error;
  auto db = Database::Open(setup.path, true, &error);
  if (!db) {
    setup.log_error("store: " + error);
    _exit(1);
  }
  Service service(*db, setup.limits, setup.registry, setup.run);
  service.CloseStaleSessions();
  setup.log_info("store ready: " + setup.path + ", schema version " +
                 std::to_string(db->schema_version()));

  ipc::Channel& channel = setup.channel;
  // The bans first, so that the broker has them before it takes its first
  // connection (it reads up to the ready frame before listening).
  Moderation moderation(*db, setup.registry, channel, setup.run);
  moderation.SendBans();
  channel.Queue(ipc::FrameKind::kStoreReply, {}, kReadyTarget);
  // Without it the server runs on; only chat-admin's kick, who and the
  // immediate effect of a ban are missing.
  auto control = ControlSocket::Open(setup.control, &error);
  if (!control) setup.log_error("store: " + error);
  auto command = [&moderation](std::string_view line) {
    return moderation.Command(line);
  };
  std::vector<Answer> answers;
  auto next_expiry = Clock::now();
  bool expiring = false;
  for (;;) {
    auto now = Clock::now();
    if (!expiring && now >= next_expiry) {
      expiring = true;
      next_expiry = now + kExpireEvery;
    }
    int timeout =
        expiring ? 0
                 : static_cast<int>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(
                           next_expiry - now)
                           .count()) +
                       1;
    if (control) {
      int control_timeout = control->TimeoutMs(now);
      if (control_timeout >= 0 && (timeout < 0 || control_timeout < timeout)) {
        timeout = control_timeout;
      }
    }
    pollfd fds[2] = {
        {channel.fd(),
         static_cast<short>(POLLIN | (channel.has_queued() ? POLLOUT : 0)), 0},
        control ? control->PollEntry() : pollfd{-1, 0, 0}};
    pollfd& fd = fds[0];
    int ready = poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) {
      setup.log_error("store: poll failed");
      _exit(1);
    }
    bool closed = false;
    bool in_transaction = false;
    for (int i = 0; i < kBatch && (fd.revents & (POLLIN | POLLHUP)); ++i) {
      ipc::FrameView frame;
      ipc::ChannelStatus status = channel.Receive(&frame);
      if (status == ipc::ChannelStatus::kWouldBlock) break;
      if (status != ipc::ChannelStatus::kOk) {
        closed = true;
        break;
      }
      if (frame.kind != ipc::FrameKind::kStoreRequest) continue;
      if (!in_transaction) in_transaction = db->Exec("BEGIN IMMEDIATE");
      if (!in_transaction) {
        // The database is locked or broken: answer failure, store nothing.
        std::vector<Answer> failed;
        service.Handle(frame, &failed);
        FailAll(&failed);
        answers.insert(answers.end(), failed.begin(), failed.end());
        continue;
      }
      service.Handle(frame, &answers);
    }
    if (in_transaction && !db->Exec("COMMIT")) {
      setup.log_error("store: commit failed: " + db->error());
      db->Exec("ROLLBACK");
      FailAll(&answers);
    }
    if (control && ready >= 0) control->OnReady(fds[1].revents, command);
    for (Answer& answer : answers) {
      channel.Queue(ipc::FrameKind::kStoreReply, answer.payload, answer.to,
                    answer.seq);
    }
    answers.clear();
    if (channel.Flush() == ipc::ChannelStatus::kClosed || closed) {
      // The broker is gone (or stopping us): everything handled is
      // committed; the database closes with the process.
      control.reset();  // removes the socket file: chat-admin sees no server
      _exit(0);
    }
    if (expiring) expiring = service.ExpireSome();
  }
}

}  // namespace chat::store
