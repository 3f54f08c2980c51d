// Embeds index.html with the assembler's .incbin: no generated source, no
// tool beyond the compiler, and the page stays an ordinary file to edit. The
// Makefile makes this object depend on the page. The path is relative to
// the directory make runs in (the top of the tree).
#include "web/page.h"

#include <cstddef>

extern "C" const char chat_web_page_start[];
extern "C" const char chat_web_page_end[];

asm(".section .rodata\n"
    ".global chat_web_page_start\n"
    ".type chat_web_page_start, @object\n"
    "chat_web_page_start:\n"
    ".incbin \"src/web/index.html\"\n"
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
