#!/bin/sh
# Runs each test binary given, in turn, and ends with one total line in the
# form CI reads: "tests: N passed, N failed". Each binary's own last line is
# "<name>: N passed, N failed" (see tests/main.cc).
set -u
passed=0
failed=0
status=0
for bin in "$@"; do
  out=$(mktemp)
  { "$bin"; echo $? >"$out.rc"; } 2>&1 | tee "$out"
  rc=$(cat "$out.rc")
  line=$(grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
  if [ -z "$line" ]; then
    echo "$bin: did not finish (crashed or was killed)"
    failed=$((failed + 1))
    status=1
  else
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/')
    f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/')
    passed=$((passed + p))
    failed=$((failed + f))
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
echo "tests: $passed passed, $failed failed"
exit $status
