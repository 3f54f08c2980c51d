// TCP keepalive on client sockets: a peer that vanished without a FIN or a
// reset (a laptop that left the network) is found and its connection, and
// its name, freed. The defaults drop it about two minutes after it went
// quiet: 60 s idle, then 6 probes 10 s apart.
#ifndef CHAT_SERVER_KEEPALIVE_H_
#define CHAT_SERVER_KEEPALIVE_H_

#include <cstdint>
#include <string>

namespace chat::server {

struct KeepaliveOptions {
  uint32_t idle_seconds = 60;      // --keepalive-idle; 0 turns keepalive off
  uint32_t interval_seconds = 10;  // --keepalive-interval
  uint32_t count = 6;              // --keepalive-count
};

// Sets SO_KEEPALIVE and its three TCP options on `fd`; "" or what failed.
std::string SetKeepalive(int fd, const KeepaliveOptions& options);

}  // namespace chat::server

#endif  // CHAT_SERVER_KEEPALIVE_H_
