// Fs: libuv's file-system calls (uv_fs_*) with a std::function for the
// result, so file transfers read and write files on libuv's thread pool and
// never block the loop. Each call owns its request until the callback has
// run; a callback that captures a shared_ptr keeps its object alive that
// long.
#ifndef CHAT_CLIENT_FS_OP_H_
#define CHAT_CLIENT_FS_OP_H_

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

namespace chat::client::fs {

// `result` is what the uv_fs_* call reports: >= 0 on success (bytes, an fd),
// a negative UV_E* code on failure.
using Done = std::function<void(ssize_t result)>;

void Open(uv_loop_t* loop, const std::string& path, int flags, int mode,
          Done done);
// Reads up to `buffer->size()` bytes at `offset`; the buffer must live until
// `done` (the result says how many bytes are valid).
void Read(uv_loop_t* loop, uv_file fd, std::string* buffer, int64_t offset,
          Done done);
// Writes all of `bytes` (kept by the call) at `offset`; a short write is
// continued until done or failed.
void Write(uv_loop_t* loop, uv_file fd, std::string bytes, int64_t offset,
           Done done);
void Fstat(uv_loop_t* loop, uv_file fd,
           std::function<void(ssize_t result, const uv_stat_t& stat)> done);
void Fsync(uv_loop_t* loop, uv_file fd, Done done);
void Close(uv_loop_t* loop, uv_file fd, Done done = nullptr);
void Unlink(uv_loop_t* loop, const std::string& path, Done done = nullptr);
void Link(uv_loop_t* loop, const std::string& from, const std::string& to,
          Done done);

}  // namespace chat::client::fs

#endif  // CHAT_CLIENT_FS_OP_H_
