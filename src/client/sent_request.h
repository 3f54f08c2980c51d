// SentRequest: what the client asked the server, remembered until the answer
// comes (answers arrive in request order), so an answer can be shown with
// what it answers: "Carol is not online; not delivered: hi".
#ifndef CHAT_CLIENT_SENT_REQUEST_H_
#define CHAT_CLIENT_SENT_REQUEST_H_

#include <string>
#include <string_view>

namespace chat::client {

struct SentRequest {
  enum class Kind {
    kJoin,
    kMesg,
    kBcst,
    kList,
    kQuit,
    kPing,
    kOther,
    // Accounts and history (session_accounts.cc).
    kLogin,
    kRegister,
    kPassword,
    kUnregister,
    kHistory,
    // File transfer (file_transfers.h): name = OFFER, ACCEPT, REJECT, END
    // or CANCEL; text = what follows it (the id, or the offer's fields).
    kFile,
  };
  Kind kind = Kind::kOther;
  // kJoin, kLogin, kRegister: the name asked for; kMesg: the recipient;
  // kHistory: the target. Never a password.
  std::string name;
  std::string text;  // kMesg, kBcst: the text
};

// Classifies a request line as the server will read it.
SentRequest DescribeRequest(std::string_view line);

}  // namespace chat::client

#endif  // CHAT_CLIENT_SENT_REQUEST_H_
