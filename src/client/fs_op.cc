// Fs: one heap object per call holds the uv_fs_t and the callback; it is
// freed after the callback, with uv_fs_req_cleanup.
#include "client/fs_op.h"

#include <utility>

namespace chat::client::fs {
namespace {

struct Op {
  uv_fs_t request{};
  Done done;
  std::function<void(ssize_t, const uv_stat_t&)> stat_done;
  std::string bytes;  // Write: what is left to write
  int64_t offset = 0;
  uv_file fd = -1;
};

Op* NewOp(Done done) {
  auto* op = new Op;
  op->done = std::move(done);
  op->request.data = op;
  return op;
}

void Finish(uv_fs_t* request) {
  auto* op = static_cast<Op*>(request->data);
  const ssize_t result = request->result;
  uv_fs_req_cleanup(request);
  Done done = std::move(op->done);
  delete op;
  if (done) done(result);
}

// A call that could not be queued (bad arguments) reports its error through
// its callback at once, which callers handle like any other failure.
void Started(Op* op, int status, uv_fs_cb callback = Finish) {
  if (status >= 0) return;
  op->request.result = status;
  callback(&op->request);
}

void FinishStat(uv_fs_t* request) {
  auto* op = static_cast<Op*>(request->data);
  const ssize_t result = request->result;
  const uv_stat_t stat = request->statbuf;
  auto done = std::move(op->stat_done);
  uv_fs_req_cleanup(request);
  delete op;
  done(result, stat);
}

void OnWrite(uv_fs_t* request) {
  auto* op = static_cast<Op*>(request->data);
  const ssize_t result = request->result;
  if (result > 0 && static_cast<size_t>(result) < op->bytes.size()) {
    // A short write: the rest goes on from where it stopped.
    uv_fs_req_cleanup(request);
    op->bytes.erase(0, static_cast<size_t>(result));
    op->offset += result;
    uv_buf_t buf =
        uv_buf_init(op->bytes.data(), static_cast<unsigned>(op->bytes.size()));
    Started(op,
            uv_fs_write(request->loop, request, op->fd, &buf, 1, op->offset,
                        OnWrite),
            Finish);
    return;
  }
  Finish(request);
}

}  // namespace

void Open(uv_loop_t* loop, const std::string& path, int flags, int mode,
          Done done) {
  Op* op = NewOp(std::move(done));
  Started(op,
          uv_fs_open(loop, &op->request, path.c_str(), flags, mode, Finish));
}

void Read(uv_loop_t* loop, uv_file fd, std::string* buffer, int64_t offset,
          Done done) {
  Op* op = NewOp(std::move(done));
  uv_buf_t buf =
      uv_buf_init(buffer->data(), static_cast<unsigned>(buffer->size()));
  Started(op, uv_fs_read(loop, &op->request, fd, &buf, 1, offset, Finish));
}

void Write(uv_loop_t* loop, uv_file fd, std::string bytes, int64_t offset,
           Done done) {
  Op* op = NewOp(std::move(done));
  op->bytes = std::move(bytes);
  op->offset = offset;
  op->fd = fd;
  uv_buf_t buf =
      uv_buf_init(op->bytes.data(), static_cast<unsigned>(op->bytes.size()));
  Started(op, uv_fs_write(loop, &op->request, fd, &buf, 1, offset, OnWrite),
          Finish);
}

void Fstat(uv_loop_t* loop, uv_file fd,
           std::function<void(ssize_t result, const uv_stat_t& stat)> done) {
  Op* op = NewOp(nullptr);
  op->stat_done = std::move(done);
  Started(op, uv_fs_fstat(loop, &op->request, fd, FinishStat), FinishStat);
}

void Fsync(uv_loop_t* loop, uv_file fd, Done done) {
  Op* op = NewOp(std::move(done));
  Started(op, uv_fs_fsync(loop, &op->request, fd, Finish));
}

void Close(uv_loop_t* loop, uv_file fd, Done done) {
  Op* op = NewOp(std::move(done));
  Started(op, uv_fs_close(loop, &op->request, fd, Finish));
}

void Unlink(uv_loop_t* loop, const std::string& path, Done done) {
  Op* op = NewOp(std::move(done));
  Started(op, uv_fs_unlink(loop, &op->request, path.c_str(), Finish));
}

void Link(uv_loop_t* loop, const std::string& from, const std::string& to,
          Done done) {
  Op* op = NewOp(std::move(done));
  Started(op, uv_fs_link(loop, &op->request, from.c_str(), to.c_str(), Finish));
}

}  // namespace chat::client::fs
