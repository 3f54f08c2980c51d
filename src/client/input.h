// Line input from a standard input that is not an interactive terminal: a
// pipe, a socket or a terminal whose output is redirected (read as a libuv
// stream), or a regular file or device such as /dev/null (read with
// uv_fs_read, since epoll cannot watch those). Both split the bytes into
// lines and end with end().
#ifndef CHAT_CLIENT_INPUT_H_
#define CHAT_CLIENT_INPUT_H_

#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "protocol/line_assembler.h"

namespace chat::client {

class LineInput {
 public:
  struct Events {
    std::function<void(std::string line)> line;
    std::function<void()> too_long;
    std::function<void()> end;
  };

  // The right reader for `fd` (per uv_guess_handle).
  static std::unique_ptr<LineInput> ForFd(uv_loop_t* loop, int fd,
                                          Events events);

  virtual ~LineInput() = default;
  virtual void Start() = 0;
  // Flow control: stop and restart reading (lines already read are still
  // delivered).
  virtual void Pause() = 0;
  virtual void Resume() = 0;
  // No more reading and no more events. Idempotent.
  virtual void Stop() = 0;
  // Releases handles (after Stop; the loop finishes the close).
  virtual void Close() = 0;

 protected:
  explicit LineInput(Events events);
  // Splits `bytes` into lines and reports them while not stopped.
  void Feed(std::string_view bytes);
  // The end of input: a last line without LF still counts.
  void Finish();

  Events events_;
  bool stopped_ = false;

 private:
  protocol::LineAssembler assembler_;
};

}  // namespace chat::client

#endif  // CHAT_CLIENT_INPUT_H_
