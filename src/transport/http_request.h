// HttpRequestHead: the head of one HTTP/1.1 request (request line and
// header fields), parsed with libhttp-parser: a small, long-lived C parser
// (Node.js's own for years) that takes input in pieces as the worker reads
// it, keeps no buffer of its own and never allocates, so a slow or hostile
// client costs nothing but the bounded bytes kept here. Only the fields the
// web port needs are kept.
#ifndef CHAT_TRANSPORT_HTTP_REQUEST_H_
#define CHAT_TRANSPORT_HTTP_REQUEST_H_

#include <http_parser.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::transport {

class HttpRequestHead {
 public:
  // The most a request head may take; a longer one is refused (431).
  static constexpr size_t kMaxHeadBytes = 8192;

  enum class State { kNeedMore, kComplete, kMalformed, kTooLarge };

  HttpRequestHead();
  HttpRequestHead(const HttpRequestHead&) = delete;
  HttpRequestHead& operator=(const HttpRequestHead&) = delete;

  // Parses more input. Once kComplete, *used says how many bytes of `bytes`
  // belonged to the head (the rest is the start of what follows it).
  State Feed(std::string_view bytes, size_t* used);

  const std::string& method() const { return method_; }
  // The request target without any query string.
  const std::string& path() const { return path_; }
  const std::string& host() const { return host_; }
  const std::string& origin() const { return origin_; }
  bool has_origin() const { return has_origin_; }
  const std::string& upgrade() const { return upgrade_; }
  const std::string& connection() const { return connection_; }
  const std::string& websocket_key() const { return key_; }
  const std::string& websocket_version() const { return version_; }
  const std::string& websocket_protocols() const { return protocols_; }

 private:
  static int OnUrl(http_parser* parser, const char* at, size_t length);
  static int OnHeaderField(http_parser* parser, const char* at, size_t length);
  static int OnHeaderValue(http_parser* parser, const char* at, size_t length);
  static int OnHeadersComplete(http_parser* parser);

  http_parser parser_;
  http_parser_settings settings_{};
  State state_ = State::kNeedMore;
  size_t fed_ = 0;
  bool in_value_ = false;
  std::string field_;              // the header field being read
  std::string* target_ = nullptr;  // where its value goes, if kept
  std::string method_, path_, host_, origin_, upgrade_, connection_, key_,
      version_, protocols_;
  bool has_origin_ = false;
};

// Whether a comma-separated header value holds `token` (case-insensitive).
bool HeaderHasToken(std::string_view value, std::string_view token);

}  // namespace chat::transport

#endif  // CHAT_TRANSPORT_HTTP_REQUEST_H_
