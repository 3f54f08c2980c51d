#!/bin/sh
# Installs the Debian packages named on the command line, as root or through
# sudo. Without either it prints the exact command to run and fails, so that
# `make` stops with advice instead of a compiler error about a missing header.
set -u
[ $# -gt 0 ] || exit 0
if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo"
else
  echo "Missing Debian packages: $*" >&2
  echo "Install them with:  sudo apt-get install -y $*" >&2
  exit 1
fi
echo "Installing missing Debian packages: $*" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists; refresh them before installing.
$as_root apt-get update -qq >&2 || exit 1
$as_root apt-get install -y -qq --no-install-recommends "$@" >&2 || {
  echo "apt-get failed; run:  sudo apt-get install -y $*" >&2
  exit 1
}
