#!/bin/sh
# Runs each test binary given, in turn, and ends with the skipped tests and
# their reasons, then one total line "tests: N passed, N failed, N skipped"
# (CI reads its "N passed, N failed"). Each binary's own last line is
# "<name>: N passed, N failed, N skipped", after one "<name>: skipped
# <test>: <reason>" line per skip (see tests/main.cc).
set -u
passed=0
failed=0
skipped=0
status=0
skips=$(mktemp)
for bin in "$@"; do
  out=$(mktemp)
  { "$bin"; echo $? >"$out.rc"; } 2>&1 | tee "$out"
  rc=$(cat "$out.rc")
  line=$(grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' \
    "$out" | tail -n 1)
  grep -E '^[a-z_]+: skipped ' "$out" >>"$skips"
  if [ -z "$line" ]; then
    echo "$bin: did not finish (crashed or was killed)"
    failed=$((failed + 1))
    status=1
  else
    counts=$(echo "$line" | sed -E 's/^[a-z_]+: //')
    p=$(echo "$counts" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$counts" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    s=0
    case $counts in
      *skipped) s=$(echo "$counts" | sed -E 's/.* ([0-9]+) skipped$/\1/') ;;
    esac
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
    [ "$f" -eq 0 ] || status=1
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      # Everything passed but the process failed on the way out (a
      # sanitizer's leak report, a crash in a destructor).
      echo "$bin: exited with status $rc after its tests"
      failed=$((failed + 1))
      status=1
    fi
  fi
  rm -f "$out" "$out.rc"
done
if [ -s "$skips" ]; then
  echo "skipped tests, and why:"
  sed -E 's/^([a-z_]+): skipped /  \1 /' "$skips"
fi
rm -f "$skips"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
