// Embeds the page with the assembler's .incbin: no generated source, and
// the page stays ordinary files to edit (src/web/index.html, which names
// its style sheet and scripts with "@include FILE" lines). The Makefile
// puts them together into one file, names it in CHAT_WEB_PAGE (relative to
// the directory make runs in, the top of the tree) and makes this object
// depend on it.
#include "web/page.h"

#include <cstddef>

#ifndef CHAT_WEB_PAGE
#error "CHAT_WEB_PAGE names the assembled page (see the Makefile)"
#endif

extern "C" const char chat_web_page_start[];
extern "C" const char chat_web_page_end[];

asm(".section .rodata\n"
    ".global chat_web_page_start\n"
    ".type chat_web_page_start, @object\n"
    "chat_web_page_start:\n"
    ".incbin \"" CHAT_WEB_PAGE
    "\"\n"
    ".global chat_web_page_end\n"
    ".type chat_web_page_end, @object\n"
    "chat_web_page_end:\n"
    ".byte 0\n"
    ".previous\n");

namespace chat::web {

std::string_view Page() {
  return std::string_view(
      chat_web_page_start,
      static_cast<size_t>(chat_web_page_end - chat_web_page_start));
}

}  // namespace chat::web
