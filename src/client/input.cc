// LineInput: StreamInput for pipes, sockets and terminals read as streams;
// FileInput for regular files and devices, read through libuv's thread pool
// one chunk at a time.
#include "client/input.h"

namespace chat::client {
namespace {

// An input line longer than this cannot become a request (at most 4096
// bytes) and is reported once instead of being buffered without bound.
constexpr size_t kMaxInputLineBytes = 64 * 1024;
constexpr size_t kChunkBytes = 64 * 1024;

class StreamInput : public LineInput {
 public:
  StreamInput(uv_loop_t* loop, int fd, uv_handle_type type, Events events)
      : LineInput(std::move(events)), loop_(loop), fd_(fd), type_(type) {}

  void Start() override {
    int status;
    if (type_ == UV_TTY) {
      status = uv_tty_init(loop_, &handle_.tty, fd_, 1);
    } else if (type_ == UV_TCP) {
      uv_tcp_init(loop_, &handle_.tcp);
      status = uv_tcp_open(&handle_.tcp, fd_);
    } else {
      uv_pipe_init(loop_, &handle_.pipe, 0);
      status = uv_pipe_open(&handle_.pipe, fd_);
    }
    open_ = true;
    handle_.handle.data = this;
    if (status < 0) {
      Finish();
      return;
    }
    Resume();
  }

  void Pause() override {
    if (reading_) uv_read_stop(&handle_.stream);
    reading_ = false;
  }

  void Resume() override {
    if (stopped_ || reading_ || ended_) return;
    if (uv_read_start(&handle_.stream, OnAlloc, OnRead) == 0) reading_ = true;
  }

  void Stop() override {
    Pause();
    stopped_ = true;
  }

  void Close() override {
    Stop();
    if (open_) uv_close(&handle_.handle, nullptr);
    open_ = false;
  }

 private:
  static void OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
    auto* self = static_cast<StreamInput*>(handle->data);
    *buf = uv_buf_init(self->buffer_, sizeof self->buffer_);
  }

  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    auto* self = static_cast<StreamInput*>(stream->data);
    if (nread > 0) {
      self->Feed(std::string_view(buf->base, static_cast<size_t>(nread)));
    } else if (nread < 0) {  // UV_EOF, or an error: either way, the end
      self->Pause();
      self->ended_ = true;
      self->Finish();
    }
  }

  union Handle {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_pipe_t pipe;
    uv_tty_t tty;
    uv_tcp_t tcp;
  };

  uv_loop_t* loop_;
  int fd_;
  uv_handle_type type_;
  Handle handle_{};
  bool open_ = false;
  bool reading_ = false;
  bool ended_ = false;
  char buffer_[kChunkBytes];
};

class FileInput : public LineInput {
 public:
  FileInput(uv_loop_t* loop, int fd, Events events)
      : LineInput(std::move(events)), loop_(loop), fd_(fd) {}

  void Start() override { Resume(); }

  void Pause() override { paused_ = true; }

  void Resume() override {
    paused_ = false;
    if (in_flight_ || stopped_ || ended_) return;
    request_.data = this;
    uv_buf_t buf = uv_buf_init(buffer_, sizeof buffer_);
    // Offset -1: read from the file position, like read(2), so input that
    // was partly consumed by a parent shell continues where it stands.
    if (uv_fs_read(loop_, &request_, fd_, &buf, 1, -1, OnRead) == 0) {
      in_flight_ = true;
    } else {
      ended_ = true;
      Finish();
    }
  }

  void Stop() override { stopped_ = true; }
  // A read still in the thread pool completes (or is cancelled) before the
  // loop ends; its callback sees stopped_ and does nothing.
  void Close() override {
    Stop();
    if (in_flight_) uv_cancel(reinterpret_cast<uv_req_t*>(&request_));
  }

 private:
  static void OnRead(uv_fs_t* request) {
    auto* self = static_cast<FileInput*>(request->data);
    const ssize_t result = request->result;
    uv_fs_req_cleanup(request);
    self->in_flight_ = false;
    if (self->stopped_) return;
    if (result <= 0) {  // end of file, or a read error: the end either way
      self->ended_ = true;
      self->Finish();
      return;
    }
    self->Feed(std::string_view(self->buffer_, static_cast<size_t>(result)));
    if (!self->paused_) self->Resume();
  }

  uv_loop_t* loop_;
  int fd_;
  uv_fs_t request_{};
  bool in_flight_ = false;
  bool paused_ = false;
  bool ended_ = false;
  char buffer_[kChunkBytes];
};

}  // namespace

LineInput::LineInput(Events events)
    : events_(std::move(events)), assembler_(kMaxInputLineBytes) {}

std::unique_ptr<LineInput> LineInput::ForFd(uv_loop_t* loop, int fd,
                                            Events events) {
  const uv_handle_type type = uv_guess_handle(fd);
  switch (type) {
    case UV_NAMED_PIPE:
    case UV_TTY:
    case UV_TCP:
      return std::make_unique<StreamInput>(loop, fd, type, std::move(events));
    default:  // UV_FILE (regular files, /dev/null), UV_UDP, unknown
      return std::make_unique<FileInput>(loop, fd, std::move(events));
  }
}

void LineInput::Feed(std::string_view bytes) {
  if (stopped_) return;
  assembler_.Append(bytes);
  std::string_view line;
  while (!stopped_) {
    const auto status = assembler_.Next(&line);
    if (status == protocol::LineAssembler::Status::kNeedMore) break;
    if (status == protocol::LineAssembler::Status::kTooLong) {
      events_.too_long();
    } else {
      events_.line(std::string(line));
    }
  }
}

void LineInput::Finish() {
  if (stopped_) return;
  if (assembler_.buffered() > 0) Feed("\n");
  if (stopped_) return;
  stopped_ = true;
  events_.end();
}

}  // namespace chat::client
