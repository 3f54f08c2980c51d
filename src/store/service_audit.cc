// Service: the audit log of sessions.
#include <cstdlib>
#include <string>

#include "store/service.h"

namespace chat::store {

void Service::SessionOpen(const Request& request) {
  // OR IGNORE: after a restart of the store the broker reports every live
  // session again.
  db_.Prepare(
         "INSERT OR IGNORE INTO sessions (run, number, peer, pid, connected) "
         "VALUES (?1, ?2, ?3, ?4, ?5)")
      .Bind(1, run_)
      .Bind(2, int64_t{request.session})
      .Bind(3, request.fields[0])
      .Bind(4, std::atoll(std::string(request.fields[1]).c_str()))
      .Bind(5, NowMs())
      .Run();
}

void Service::SessionName(const Request& request) {
  db_.Prepare(
         "UPDATE sessions SET name = ?3, account = ?4, registered = "
         "coalesce(registered, ?5) WHERE run = ?1 AND number = ?2")
      .Bind(1, run_)
      .Bind(2, int64_t{request.session})
      .Bind(3, request.fields[0])
      .Bind(4, int64_t{request.fields[1] == "1"})
      .Bind(5, NowMs())
      .Run();
}

void Service::SessionEnd(const Request& request) {
  db_.Prepare(
         "UPDATE sessions SET ended = ?3, how = ?4 WHERE run = ?1 AND "
         "number = ?2 AND ended IS NULL")
      .Bind(1, run_)
      .Bind(2, int64_t{request.session})
      .Bind(3, NowMs())
      .Bind(4, request.fields[0])
      .Run();
}

}  // namespace chat::store
