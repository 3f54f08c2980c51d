// chat-client: the console chat client. Parses the command line, then runs
// the App on one libuv loop and exits with its status (see exit_code.h).
#include <langinfo.h>
#include <signal.h>
#include <uv.h>

#include <clocale>
#include <cstring>
#include <iostream>
#include <variant>

#include "client/app.h"
#include "client/options.h"

int main(int argc, char** argv) {
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
