// OutputBuffer: the bytes a worker owes its client, written from the front
// as the socket takes them. Its size is what --send-queue bounds.
#ifndef CHAT_SERVER_OUTPUT_BUFFER_H_
#define CHAT_SERVER_OUTPUT_BUFFER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::server {

class OutputBuffer {
 public:
  void Append(std::string_view bytes) { data_.append(bytes); }

  // Bytes not yet written.
  std::string_view pending() const {
    return std::string_view(data_).substr(head_);
  }
  size_t size() const { return data_.size() - head_; }
  bool empty() const { return size() == 0; }

  // `bytes` of the front were written.
  void Consume(size_t bytes);

  // `bytes` went to the client straight from elsewhere while this buffer was
  // empty (a worker writes a push without copying it here first); what is
  // appended next continues them. Only whether they ended mid-line matters.
  void WrittenPast(std::string_view bytes) {
    if (!bytes.empty()) mid_line_ = bytes.back() != '\n';
  }

  // Drops every pending byte except the rest of a line already partly
  // written, so that a last line appended afterwards starts on a line of its
  // own.
  void DropAllButCurrentLine();
  // Drops everything unwritten, even a line half written.
  void DropAll() { data_.resize(head_); }

 private:
  std::string data_;
  size_t head_ = 0;        // first unwritten byte of data_
  bool mid_line_ = false;  // the last byte written was not an LF
};

}  // namespace chat::server

#endif  // CHAT_SERVER_OUTPUT_BUFFER_H_
