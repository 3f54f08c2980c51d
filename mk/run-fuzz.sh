#!/bin/sh
# Runs one libFuzzer target for a bounded time: run-fuzz.sh BINARY SEEDS
# SECONDS. The seeds (tracked) are read; new inputs go to a working corpus
# under build/fuzz/corpus/, a crashing input to build/fuzz/crashes/<target>/.
# The fuzzer's own output goes to build/fuzz/<target>.log, shown in full when
# it fails; otherwise one line says how far it got.
set -u
bin=$1
seeds=$2
seconds=$3
name=$(basename "$bin")
dir=$(dirname "$bin")
corpus=$dir/corpus/$name
crashes=$dir/crashes/$name
log=$dir/$name.log
mkdir -p "$corpus" "$crashes"
# -timeout: one input taking this long is a hang, reported as a failure.
# -rss_limit_mb: a target growing past this is a leak or an unbounded
# buffer. Leak detection stays on (ASan's default).
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
  -print_final_stats=1 -artifact_prefix="$crashes/" \
  "$corpus" "$seeds" >"$log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  cat "$log"
  echo "fuzz: $name FAILED (status $status); the input is in $crashes/"
  echo "fuzz: reproduce with $bin $crashes/<file>"
  exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1)
echo "fuzz: $name ok, ${runs:-?} runs in ${seconds} s, $cov"
