// chat-client: the console chat client. Parses the command line, then runs
// the App on one libuv loop and exits with its status (see exit_code.h).
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <clocale>
#include <cstring>
#include <iostream>
#include <variant>

#include "client/app.h"
#include "client/options.h"

namespace {

// A program started with standard input, output or error closed would have
// its next descriptor (libuv's epoll or signal pipe, or the socket) take
// that number, read or print through it, and libuv aborts on closing a
// descriptor below 3. /dev/null takes the free numbers instead.
void OpenClosedStandardDescriptors() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0) continue;
    // open() takes the lowest free number, which is `fd` itself.
    open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
  }
}

}  // namespace

int main(int argc, char** argv) {
  OpenClosedStandardDescriptors();

  // The protocol is UTF-8: the line editor and the width of typed text
  // need a UTF-8 character type even when the environment names none.
  std::setlocale(LC_CTYPE, "");
  if (std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0) {
    std::setlocale(LC_CTYPE, "C.UTF-8");
  }

  auto parsed = chat::client::ParseOptions(argc, argv, std::cout, std::cerr);
  if (const int* status = std::get_if<int>(&parsed)) return *status;
  const auto& options = std::get<chat::client::Options>(parsed);

  // A broken connection is reported by libuv as an error, not a signal.
  signal(SIGPIPE, SIG_IGN);

  uv_loop_t loop;
  uv_loop_init(&loop);
  int status;
  {
    chat::client::App app(&loop, options);
    status = app.Run();
  }
  uv_loop_close(&loop);
  return status;
}
