// HttpRequestHead: http_parser callbacks collecting the kept fields.
#include "transport/http_request.h"

#include <strings.h>

#include <algorithm>

namespace chat::transport {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool HeaderHasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = Trim(value.substr(0, comma));
    if (EqualsIgnoringCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

HttpRequestHead::HttpRequestHead() {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  settings_.on_url = OnUrl;
  settings_.on_header_field = OnHeaderField;
  settings_.on_header_value = OnHeaderValue;
  settings_.on_headers_complete = OnHeadersComplete;
}

int HttpRequestHead::OnUrl(http_parser* parser, const char* at, size_t length) {
  auto* self = static_cast<HttpRequestHead*>(parser->data);
  if (self->state_ != State::kNeedMore) return 0;  // a pipelined request
  self->path_.append(at, length);
  return 0;
}

int HttpRequestHead::OnHeaderField(http_parser* parser, const char* at,
                                   size_t length) {
  auto* self = static_cast<HttpRequestHead*>(parser->data);
  if (self->state_ != State::kNeedMore) return 0;
  if (self->in_value_) {
    self->field_.clear();
    self->in_value_ = false;
  }
  self->field_.append(at, length);
  return 0;
}

int HttpRequestHead::OnHeaderValue(http_parser* parser, const char* at,
                                   size_t length) {
  auto* self = static_cast<HttpRequestHead*>(parser->data);
  if (self->state_ != State::kNeedMore) return 0;
  if (!self->in_value_) {
    self->in_value_ = true;
    struct Kept {
      std::string_view name;
      std::string* value;
    };
    const Kept kept[] = {{"Host", &self->host_},
                         {"Origin", &self->origin_},
                         {"Upgrade", &self->upgrade_},
                         {"Connection", &self->connection_},
                         {"Sec-WebSocket-Key", &self->key_},
                         {"Sec-WebSocket-Version", &self->version_},
                         {"Sec-WebSocket-Protocol", &self->protocols_}};
    self->target_ = nullptr;
    for (const Kept& k : kept) {
      if (EqualsIgnoringCase(self->field_, k.name)) self->target_ = k.value;
    }
    if (self->target_ == &self->origin_) self->has_origin_ = true;
    // A field given twice is joined as HTTP says lists are.
    if (self->target_ != nullptr && !self->target_->empty()) {
      self->target_->append(",");
    }
  }
  if (self->target_ != nullptr) self->target_->append(at, length);
  return 0;
}

int HttpRequestHead::OnHeadersComplete(http_parser* parser) {
  auto* self = static_cast<HttpRequestHead*>(parser->data);
  if (self->state_ != State::kNeedMore) return 0;
  self->state_ = State::kComplete;
  self->method_ =
      http_method_str(static_cast<enum http_method>(parser->method));
  size_t query = self->path_.find_first_of("?#");
  if (query != std::string::npos) self->path_.resize(query);
  for (std::string* value :
       {&self->host_, &self->origin_, &self->upgrade_, &self->connection_,
        &self->key_, &self->version_, &self->protocols_}) {
    *value = std::string(Trim(*value));
  }
  // An upgrade request stops the parser right after its head, which is
  // where the WebSocket frames start; after any other request the
  // connection closes, so what follows its head is ignored.
  return 0;
}

HttpRequestHead::State HttpRequestHead::Feed(std::string_view bytes,
                                             size_t* used) {
  if (state_ != State::kNeedMore) return state_;
  size_t room = kMaxHeadBytes - fed_;
  std::string_view part = bytes.substr(0, room);
  size_t parsed =
      http_parser_execute(&parser_, &settings_, part.data(), part.size());
  fed_ += parsed;
  if (state_ == State::kComplete) {
    // Without an upgrade the parser went on past the head; nothing after
    // it is used then.
    *used = parsed;
    return state_;
  }
  if (HTTP_PARSER_ERRNO(&parser_) != HPE_OK) {
    state_ = State::kMalformed;
  } else if (fed_ >= kMaxHeadBytes) {
    state_ = State::kTooLarge;
  }
  return state_;
}

}  // namespace chat::transport
