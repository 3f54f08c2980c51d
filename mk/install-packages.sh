#!/bin/sh
# Installs the Debian packages named on the command line with apt-get: as
# root directly, or through sudo when sudo needs no password (it is never
# made to ask for one in the middle of a build). Otherwise it says what to
# run, fitting the machine, and fails, so that `make` stops with advice
# instead of a compiler error about a missing header. apt's progress goes to
# a log file; the build log gets one line.
set -u
[ $# -gt 0 ] || exit 0
packages="$*"
if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo"
else
  echo "Missing Debian packages: $packages" >&2
  if command -v sudo >/dev/null 2>&1; then
    echo "Install them (sudo will ask for your password), then run make again:" >&2
    echo "  sudo apt-get install -y $packages" >&2
  else
    echo "Install them as root, then run make again:" >&2
    echo "  su -c 'apt-get install -y $packages'" >&2
    echo "or ask an administrator of this machine to install them." >&2
  fi
  exit 1
fi
log=$(mktemp "${TMPDIR:-/tmp}/chat-server-apt.XXXXXX") || exit 1
echo "Installing missing Debian packages: $packages (apt-get output: $log)" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists; refresh them first.
if $as_root apt-get update -q >"$log" 2>&1 &&
  $as_root apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
  echo "Installed: $packages" >&2
  rm -f "$log"
  exit 0
fi
echo "apt-get failed; the end of its output ($log):" >&2
tail -n 15 "$log" >&2
echo "Fix the cause, or install them yourself:  ${as_root:+sudo }apt-get install -y $packages" >&2
exit 1
