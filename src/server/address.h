// Socket addresses as the status log and the "listening on" line show them:
// 1.2.3.4:80, [::1]:80; an IPv4 peer seen through a dual-stack socket
// (::ffff:1.2.3.4) is shown as plain IPv4.
#ifndef CHAT_SERVER_ADDRESS_H_
#define CHAT_SERVER_ADDRESS_H_

#include <sys/socket.h>

#include <string>

namespace chat::server {

std::string FormatAddress(const sockaddr* address, socklen_t length);

// The local (sockname) or remote (peername) address of a socket;
// "unknown" when the system cannot tell.
std::string LocalAddressOf(int fd);
std::string PeerAddressOf(int fd);

}  // namespace chat::server

#endif  // CHAT_SERVER_ADDRESS_H_
