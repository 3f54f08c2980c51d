#!/bin/sh
# Installs files and records what it did, so that mk/uninstall.sh removes
# exactly that: every file written, and every directory this run created
# (which are removed again once empty).
#
#   mk/install.sh MANIFEST MODE SOURCE DESTINATION [MODE SOURCE DESTINATION]...
#
# MODE is an octal mode, with a trailing "s" to strip the file (a program);
# DESTINATION is the full path of the installed file (DESTDIR included).
# MANIFEST gets one line per path: "file PATH" or "dir PATH". A file whose
# text holds @BINDIR@ gets $BINDIR in its place (the systemd unit).
set -eu
manifest=$1
shift
: >>"$manifest"

# Creates the directories missing on the way to $1, outermost first, and
# records each one.
make_dirs() {
  missing=""
  dir=$1
  while [ ! -d "$dir" ]; do
    missing="$dir $missing"
    dir=$(dirname "$dir")
  done
  for dir in $missing; do
    mkdir -m 755 "$dir"
    echo "dir $dir" >>"$manifest"
  done
}

while [ $# -ge 3 ]; do
  mode=$1 source=$2 destination=$3
  shift 3
  make_dirs "$(dirname "$destination")"
  case $mode in
    *s) install -s -m "${mode%s}" "$source" "$destination" ;;
    *)
      if grep -q '@BINDIR@' "$source"; then
        sed "s|@BINDIR@|${BINDIR:?}|g" "$source" >"$destination.tmp"
        chmod "$mode" "$destination.tmp"
        mv "$destination.tmp" "$destination"
      else
        install -m "$mode" "$source" "$destination"
      fi
      ;;
  esac
  grep -qxF "file $destination" "$manifest" ||
    echo "file $destination" >>"$manifest"
  echo "installed $destination"
done
