#!/bin/sh
# Removes what mk/install.sh recorded in MANIFEST: the files, then the
# directories it created, innermost first, each only if empty. Without a
# manifest it removes FALLBACK_FILES (the paths the current PREFIX and
# DESTDIR give) and says so.
#
#   mk/uninstall.sh MANIFEST [FALLBACK_FILE]...
set -u
manifest=$1
shift
if [ ! -f "$manifest" ]; then
  echo "no $manifest (made by make install): removing the files under the" \
    "current PREFIX and DESTDIR, which must be those make install used"
  for file in "$@"; do
    if [ -e "$file" ]; then rm -f "$file" && echo "removed $file"; fi
  done
  exit 0
fi
status=0
while read -r kind path; do
  [ "$kind" = file ] || continue
  if [ -e "$path" ] || [ -L "$path" ]; then
    rm -f "$path" && echo "removed $path" || status=1
  fi
done <"$manifest"
# Directories, innermost (last created) first.
sed -n 's/^dir //p' "$manifest" | sort -r | while read -r dir; do
  if [ -d "$dir" ] && rmdir "$dir" 2>/dev/null; then echo "removed $dir/"; fi
done
[ $status -ne 0 ] || rm -f "$manifest"
exit $status
