// WayIn: which listener a connection came through, and so which transport
// its worker speaks (PROTOCOL.md "Ways in"). The broker only tags the
// connection; the worker does every byte of the transport.
#ifndef CHAT_SERVER_WAY_IN_H_
#define CHAT_SERVER_WAY_IN_H_

#include <cstdint>

namespace chat::server {

enum class WayIn : uint8_t { kPlain = 0, kTls = 1, kWeb = 2, kWebTls = 3 };

// The suffix of its "listening on" line: "", " (tls)", " (web)",
// " (web-tls)".
inline const char* ListeningSuffix(WayIn way) {
  switch (way) {
    case WayIn::kPlain:
      return "";
    case WayIn::kTls:
      return " (tls)";
    case WayIn::kWeb:
      return " (web)";
    case WayIn::kWebTls:
      return " (web-tls)";
  }
  return "";
}

}  // namespace chat::server

#endif  // CHAT_SERVER_WAY_IN_H_
