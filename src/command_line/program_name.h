// The name a program calls itself in its usage, its errors and --version:
// the name it was started by (the last part of argv[0]), so that the
// installed chat-server says "chat-server: ..." while ./server in the build
// tree says "server: ...". Shared by every program of the project.
#ifndef CHAT_COMMAND_LINE_PROGRAM_NAME_H_
#define CHAT_COMMAND_LINE_PROGRAM_NAME_H_

#include <string>
#include <string_view>

namespace chat::command_line {

// The last part of `argv0` ("/usr/local/bin/chat-server" -> "chat-server");
// `fallback`, the installed name, when argv0 is null or empty.
std::string ProgramName(const char* argv0, std::string_view fallback);

// The --version line: "chat-server 1.0" when run by its installed name,
// "server (chat-server) 1.0" when run by another one, as GNU programs name
// their package.
std::string VersionLine(std::string_view program, std::string_view installed,
                        std::string_view version);

}  // namespace chat::command_line

#endif  // CHAT_COMMAND_LINE_PROGRAM_NAME_H_
