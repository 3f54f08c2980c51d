// The web client page (src/web/index.html), built into the server binary so
// that the server serves it itself: one file, no external resources.
#ifndef CHAT_WEB_PAGE_H_
#define CHAT_WEB_PAGE_H_

#include <string_view>

namespace chat::web {

std::string_view Page();

}  // namespace chat::web

#endif  // CHAT_WEB_PAGE_H_
