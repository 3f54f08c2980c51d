#!/usr/bin/env bash
# make bench: measures ./server, and ngircd when it is installed, with
# ./chat-bench over loopback, and writes a BENCHMARKS.md: the machine, the date,
# how the processes were placed, the side-by-side table with the ratios
# ours/ngircd, and each performance target marked met or not met together with
# what bounds it (CPU per operation, a syscall count, a perf profile).
#
# Exit status: 0 when every run of ours completed with nothing lost and no
# protocol error, 1 otherwise (whether targets are met does not count).
#
# Environment: BENCH_OUT (default build/BENCHMARKS.md; BENCH_OUT=BENCHMARKS.md
# replaces the tracked one), BENCH_PLACEMENT=split|shared
# (split: servers on CPU 0, chat-bench on CPU 1; shared: the scheduler
# decides), BENCH_QUICK=1 (small sizes, to try the script), BENCH_PROFILE=0
# (skip the strace/perf pass), BENCH_CASES=REGEX (only the runs whose names
# match), BENCH_KEEP=1 (keep the temporary directory with every output),
# BENCH_V1=REVISION (the version 1 server measured beside ours, default
# db9ee80; BENCH_V1=none skips it).
# Every run is bounded in time; traffic goes to 127.0.0.1 only.
set -u -o pipefail

cd "$(dirname "$0")/../.." || exit 1
BENCH=${BENCH:-./chat-bench}
SERVER=${SERVER:-./server}
NGIRCD=${NGIRCD:-/usr/sbin/ngircd}
OUT=${BENCH_OUT:-build/BENCHMARKS.md}
PLACEMENT=${BENCH_PLACEMENT:-split}
QUICK=${BENCH_QUICK:-0}
PROFILE=${BENCH_PROFILE:-1}
ONLY=${BENCH_CASES:-.}
KEEP=${BENCH_KEEP:-0}
# Version 1's last revision: the figures every later version must not
# regress. It is built from this repository's history into the temporary
# directory and gets the same runs as ours, each right after ours, so that
# a regression shows as a ratio measured in one run rather than against
# figures taken on another day under another load.
V1_REV=${BENCH_V1:-db9ee80}
RUN_LIMIT=300      # seconds any one chat-bench run may take, whatever happens
CONCURRENCY=8      # connections set up at once: ngircd listens with a
                   # backlog of 10, and more would measure SYN retries
CONF_TEMPLATE=tests/bench/ngircd.conf.in

die() {
  echo "run-bench: $*" >&2
  exit 1
}
[ -x "$BENCH" ] || die "$BENCH is not built (run make)"
[ -x "$SERVER" ] || die "$SERVER is not built (run make)"

# 10,000 sessions need 10,000 descriptors in chat-bench and in each server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
fd_limit=$(ulimit -n)

tmp=$(mktemp -d /tmp/chat-bench.XXXXXX) || die "mktemp failed"
chmod 755 "$tmp"
started_pids=()

# Stops one process we started: SIGTERM, up to 10 s, then SIGKILL.
stop_process() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do stop_process "$pid"; done
  if [ "$KEEP" = 1 ]; then
    echo "run-bench: outputs kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (up to $3 seconds) until file $1 holds a line matching $2.
wait_for_line() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# A TCP port on 127.0.0.1 nobody listens on, below the ephemeral range.
free_port() {
  local port i
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 12000))
    if ! ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# --- Placement ---------------------------------------------------------------
cpus=$(nproc)
if [ "$PLACEMENT" = split ] && [ "$cpus" -ge 2 ] && command -v taskset >/dev/null; then
  PIN_SERVER=(taskset -c 0)
  PIN_BENCH=(taskset -c 1)
  placement="split: each server pinned to CPU 0 (\`taskset -c 0\`; the
chat server's forked workers inherit the mask, so broker and workers share
CPU 0), chat-bench pinned to CPU 1. Every message crosses between the CPUs
twice (into the server and out of it), for both servers alike."
else
  PLACEMENT=shared
  PIN_SERVER=()
  PIN_BENCH=()
  placement="shared: no pinning; the scheduler spread servers and chat-bench
over the $cpus CPUs as it saw fit."
fi

# --- Scenarios ---------------------------------------------------------------
# name|chat-bench arguments. The same runs go to both servers.
if [ "$QUICK" = 1 ]; then
  CASES=(
    "rtt0|rtt -n 0 -m 500 -d 20"
    "rtt1000|rtt -n 100 -m 500 -d 20"
    "fanout100w1|fanout -n 20 -w 1 -m 200 -d 20"
    "fanout100w16|fanout -n 20 -w 16 -m 500 -d 20"
    "fanout1000w1|fanout -n 100 -w 1 -m 100 -d 20"
    "fanout1000w16|fanout -n 100 -w 16 -m 200 -d 20"
    "churn16|churn -c 16 -d 2"
    "hold5000|hold -n 200 -d 1"
    "hold10000|hold -n 400 -d 1"
  )
  HOLD_ANNOUNCED="hold5000join|hold -n 200 -d 1"
  HOLD_BIG=400
  OURS_ONLY=(
    "login16|login -n 20 -c 4 -d 2"
    "hold1000|hold -n 100 -d 1"
    "tlshold1000|hold -n 100 -d 1 --tls"
    "wshold1000|hold -n 100 -d 1 --ws"
    "tlschurn16|churn -c 4 -d 2 --tls"
    "file1|file -n 1 -m 8"
    "file4|file -n 4 -m 4"
    "floodbcst|flood -n 20 -m 300 -d 10"
    "floodbcstlimited|flood -n 20 -m 300 -d 10"
    "floodlist|flood -n 100 -m 300 -d 10 --flooders 4 --flood-with list"
    "floodlistlimited|flood -n 100 -m 300 -d 10 --flooders 4 --flood-with list"
  )
else
  # -d bounds the measuring of rtt and fanout (they stop sending after it);
  # -t bounds every waiting phase, hold's whole registration included.
  CASES=(
    "rtt0|rtt -n 0 -m 5000 -d 10"
    "rtt1000|rtt -n 1000 -m 5000 -d 10"
    "fanout100w1|fanout -n 100 -w 1 -m 2000 -d 10"
    "fanout100w16|fanout -n 100 -w 16 -m 5000 -d 10"
    "fanout1000w1|fanout -n 1000 -w 1 -m 300 -d 10"
    "fanout1000w16|fanout -n 1000 -w 16 -m 1000 -d 10"
    "churn16|churn -c 16 -d 10"
    "hold5000|hold -n 5000 -d 5 -t 60"
    "hold10000|hold -n 10000 -d 5 -t 90"
  )
  HOLD_ANNOUNCED="hold5000join|hold -n 5000 -d 5 -t 60"
  HOLD_BIG=10000
  # Ours alone: ngircd has no accounts. 50 accounts, 16 logins at once, each
  # an Argon2id check in the server.
  # The ways in, side by side: 1,000 sessions held in plain TCP, TLS and
  # WebSocket (Pss per session), and TLS handshakes per second (churn).
  OURS_ONLY=(
    "login16|login -n 50 -c 16 -d 10"
    "hold1000|hold -n 1000 -d 5 -t 60"
    "tlshold1000|hold -n 1000 -d 5 -t 60 --tls"
    "wshold1000|hold -n 1000 -d 5 -t 60 --ws"
    "tlschurn16|churn -c 16 -d 10 --tls"
    "file1|file -n 1 -m 64 -t 120"
    "file4|file -n 4 -m 64 -t 120"
    # Flood control: a quiet pair's rtt alone, then while one user floods
    # BCST to 50 readers, or four send LIST among 1,000 users; each against
    # a server that exempts loopback (no flood control: the figures of
    # issue 13) and one that limits the flooders (*limited, see start_ours).
    # 250 source addresses: at most a few silent readers share one.
    "floodbcst|flood -n 50 -m 2000 -d 10 --sources 250"
    "floodbcstlimited|flood -n 50 -m 2000 -d 10 --sources 250"
    "floodlist|flood -n 1000 -m 2000 -d 10 -t 90 --flooders 4 --flood-with list --sources 250"
    "floodlistlimited|flood -n 1000 -m 2000 -d 10 -t 90 --flooders 4 --flood-with list --sources 250"
  )
fi
selected=()
for entry in "${CASES[@]}"; do
  if grep -qE -- "$ONLY" <<<"${entry%%|*}"; then selected+=("$entry"); fi
done
CASES=("${selected[@]}")
selected=()
for entry in "${OURS_ONLY[@]}"; do
  if grep -qE -- "$ONLY" <<<"${entry%%|*}"; then selected+=("$entry"); fi
done
OURS_ONLY=("${selected[@]}")
[ "$((${#CASES[@]} + ${#OURS_ONLY[@]}))" -gt 0 ] ||
  die "BENCH_CASES=$ONLY matches no run"
COMMON=(--json --concurrency "$CONCURRENCY")

# Field $2 of the JSON line in file $1 (strings without their quotes).
jget() {
  [ -f "$1" ] || return 0
  sed -n "s/.*\"$2\":\(\"\([^\"]*\)\"\|\([^,}]*\)\).*/\2\3/p" "$1" | head -n 1
}

summary_of() {
  local f=$1
  echo "ok=$(jget "$f" ok) lost=$(jget "$f" lost) errors=$(jget "$f" errors)" \
    "p50_us=$(jget "$f" p50_us) deliveries_per_s=$(jget "$f" deliveries_per_s)" \
    "sessions_per_s=$(jget "$f" sessions_per_s) reach_s=$(jget "$f" reach_s)" \
    "logins_per_s=$(jget "$f" logins_per_s) mib_per_s=$(jget "$f" mib_per_s)" \
    "pss_kib_per_session=$(jget "$f" pss_kib_per_session)" \
    "$(jget "$f" first_problem)"
}

# --- Servers: a fresh one for every run, so no run inherits another's
# --- aftermath (a broker grown by the previous run, sessions still closing).
starts=0
# $1: the way in the run uses (plain, tls or web): the port chat-bench is
# given is that listener's.
start_ours() {
  # A new file each time: the shell creates it in the background, and an
  # old one could still show the previous server's port.
  starts=$((starts + 1))
  local way=${1:-plain} extra=()
  local out="$tmp/server.$starts.out" err="$tmp/server.$starts.err"
  [ "$way" = tls ] && extra=(--tls-port 0)
  [ "$way" = web ] && extra=(--web-port 0)
  # Flood control for the flooders alone: chat-bench connects the pair
  # from 127.0.0.1 and .2, then the flooders from 127.0.0.3 (at most 4
  # here), then the readers; every address but the flooders' is exempt.
  [ "$way" = limited ] && extra=(--limit-loopback --exempt 127.0.0.1/32
    --exempt 127.0.0.2/32 --exempt 127.0.0.7/32 --exempt 127.0.0.8/29
    --exempt 127.0.0.16/28 --exempt 127.0.0.32/27 --exempt 127.0.0.64/26
    --exempt 127.0.0.128/25)
  "${PIN_SERVER[@]}" "$SERVER" 0 --bind 127.0.0.1 --max-users 12000 \
    --max-connections 12000 --join-timeout 600 -q "${extra[@]}" \
    --data-dir "$tmp/data.$starts" >"$out" 2>"$err" &
  read_port "$!" "$SERVER" "$out" "$err" "$way"
}

# Version 1, with the options of ours that it has (it has no store).
start_v1() {
  starts=$((starts + 1))
  local out="$tmp/server.$starts.out" err="$tmp/server.$starts.err"
  "${PIN_SERVER[@]}" "$V1_SERVER" 0 --bind 127.0.0.1 --max-users 12000 \
    --max-connections 12000 --join-timeout 600 -q >"$out" 2>"$err" &
  read_port "$!" "$V1_SERVER" "$out" "$err" plain
}

# The server just started in the background (pid $1, program $2, writing to
# $3 and $4): kept as server_pid, and its port for way $5 read from its
# "listening on" lines.
read_port() {
  local program=$2 out=$3 err=$4 way=$5
  server_pid=$1
  started_pids+=("$server_pid")
  wait_for_line "$out" "listening on" 10 ||
    die "$program did not print 'listening on' (see its stderr: $(head -c 300 "$err"))"
  if [ "$way" = plain ] || [ "$way" = limited ]; then
    server_port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out" | head -n 1)
  else
    wait_for_line "$out" "($way)\$" 10
    server_port=$(sed -n "s/^listening on .*:\([0-9]*\) ($way)\$/\1/p" "$out" | head -n 1)
  fi
  [ -n "$server_port" ] || die "no port in $program's 'listening on' line ($way)"
}

have_v1=0
V1_SERVER="$tmp/v1/server"
v1_note=""
if [ "$V1_REV" != none ]; then
  if ! git rev-parse -q --verify "$V1_REV^{commit}" >/dev/null 2>&1; then
    v1_note="no revision $V1_REV in this repository"
  else
    echo "run-bench: building version 1 ($V1_REV) to measure beside ours" >&2
    mkdir -p "$tmp/v1"
    # Its own Makefile and defaults, not this make's flags.
    if git archive "$V1_REV" | tar -x -C "$tmp/v1" &&
      env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$tmp/v1" -j"$cpus" \
        server >"$tmp/v1.build.log" 2>&1 && [ -x "$V1_SERVER" ]; then
      have_v1=1
    else
      v1_note="version 1 did not build: $(tail -n 2 "$tmp/v1.build.log" | tr '\n' ' ')"
    fi
  fi
  [ -n "$v1_note" ] && echo "run-bench: $v1_note; the comparison with version 1 is skipped" >&2
fi

have_ngircd=0
if [ -x "$NGIRCD" ] && [ -f "$CONF_TEMPLATE" ]; then have_ngircd=1; fi
if [ "$have_ngircd" = 0 ]; then
  echo "run-bench: no $NGIRCD (apt-get install ngircd): the comparison with" \
    "ngircd is skipped; only our own figures and targets are measured" >&2
fi

start_ngircd() {
  starts=$((starts + 1))
  local log="$tmp/ngircd.$starts.log"
  mkdir -p "$tmp/ngircd/conf.d"
  server_port=$(free_port) || die "no free port for ngircd"
  sed -e "s|@PORT@|$server_port|g" -e "s|@DIR@|$tmp/ngircd|g" \
    "$CONF_TEMPLATE" >"$tmp/ngircd/ngircd.conf"
  chmod -R a+rX "$tmp/ngircd"
  # -n: stay in the foreground (so $! is the server), log to stdout. Started
  # as root, ngircd switches to "nobody" by itself once listening.
  "${PIN_SERVER[@]}" "$NGIRCD" -n -f "$tmp/ngircd/ngircd.conf" \
    >"$log" 2>&1 &
  server_pid=$!
  started_pids+=("$server_pid")
  wait_for_line "$log" "Now listening on" 10 ||
    die "ngircd did not start (see $(tail -n 3 "$log"))"
}

stop_server() {
  stop_process "$server_pid"
  local kept=() pid
  for pid in "${started_pids[@]}"; do
    [ "$pid" != "$server_pid" ] && kept+=("$pid")
  done
  started_pids=("${kept[@]}")
}

# Runs every case, each against a fresh server: $1 the labels (ours, v1 or
# ngircd; several take each case in turn), $2.. extra chat-bench arguments.
run_cases() {
  local labels=$1 label entry name args result status why way
  shift
  for entry in "${CASES[@]}"; do
    name=${entry%%|*}
    args=${entry#*|}
    way=plain
    case " $args " in
    *" --tls "*) way=tls ;;
    *" --ws "*) way=web ;;
    esac
    case $name in *limited) way=limited ;; esac
    for label in $labels; do
      result="$tmp/$label.$name.json"
      case $label in
      ours) start_ours "$way" ;;
      v1) start_v1 ;;
      *) start_ngircd ;;
      esac
      echo "run-bench: $label $name: chat-bench $args $*" >&2
      # shellcheck disable=SC2086 # $args is a list of words on purpose
      timeout -k 5 "$RUN_LIMIT" "${PIN_BENCH[@]}" "$BENCH" $args "$@" \
        "${COMMON[@]}" --label "$label" -p "$server_port" \
        --server-pid "$server_pid" >"$result" 2>>"$tmp/bench.log"
      status=$?
      if ! grep -q '^{' "$result"; then
        why="chat-bench exited with status $status and no result"
        [ "$status" = 124 ] && why="chat-bench was stopped after ${RUN_LIMIT} s"
        echo "{\"ok\":false,\"first_problem\":\"$why\"}" >"$result"
      fi
      echo "run-bench:   $(summary_of "$result")" >&2
      stop_server
    done
  done
}

echo "run-bench: placement $PLACEMENT, fd limit $fd_limit, concurrency $CONCURRENCY" >&2
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
started_at=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

if [ "$have_v1" = 1 ]; then run_cases "ours v1"; else run_cases ours; fi
# The runs ngircd cannot take part in, against ours alone.
if [ "${#OURS_ONLY[@]}" -gt 0 ]; then
  saved_cases=("${CASES[@]}")
  CASES=("${OURS_ONLY[@]}")
  run_cases ours
  CASES=("${saved_cases[@]}")
fi

# The least a process per session costs here, on the server's CPU.
"${PIN_SERVER[@]}" "$BENCH" fork -m 3000 --json >"$tmp/fork.json" 2>>"$tmp/bench.log"
echo "run-bench: fork: $(jget "$tmp/fork.json" mean_us) us per fork+exit+wait" >&2
# What waking one process among many costs here: every line pushed to a user
# wakes that user's worker.
"${PIN_SERVER[@]}" "$BENCH" switch -n 1000 -m 200000 --json >"$tmp/switch.json" 2>>"$tmp/bench.log"
echo "run-bench: switch: $(jget "$tmp/switch.json" hop_us) us per hop among 1000 processes, $(jget "$tmp/switch.json" hop_us_2) among 2" >&2

# --- Evidence: syscall counts, a CPU profile, a worker's memory --------------
strace_rtt=""
strace_fanout=""
perf_fanout=""
perf_churn=""
perf_hold=""
sched_rtt=""
perf_note=""
worker_memory=""

# $1 and all its descendants, from one ps listing.
tree_pids() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      keep[root] = 1; print root
      do {
        grew = 0
        for (i = 1; i <= NR; i++) {
          p = pids[i]
          if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; print p; grew = 1 }
        }
      } while (grew)
    }'
}

# strace -c -f over the whole server tree while chat-bench $@ runs; prints
# the top of the summary table.
strace_run() {
  local out="$tmp/strace.$RANDOM" args=() pid
  for pid in $(tree_pids "$server_pid"); do args+=(-p "$pid"); done
  timeout -k 5 120 strace -f -c -o "$out" "${args[@]}" 2>"$out.err" &
  local strace_pid=$!
  wait_for_line "$out.err" "attached" 10
  timeout -k 5 "$RUN_LIMIT" "${PIN_BENCH[@]}" "$BENCH" "$@" --json -q \
    -p "$server_port" >"$tmp/last_strace.json" 2>/dev/null
  kill -INT "$strace_pid" 2>/dev/null
  wait "$strace_pid" 2>/dev/null
  head -n 14 "$out"
}

# perf record of everything while chat-bench $@ runs; prints the processes
# that took the samples, then the top symbols of the server's processes.
perf_run() {
  local out="$tmp/perf.$RANDOM" by_comm
  timeout -k 5 "$RUN_LIMIT" perf record -a -F 999 -o "$out" -- \
    "${PIN_BENCH[@]}" "$BENCH" "$@" --json -q -p "$server_port" \
    >"$out.json" 2>"$out.err"
  by_comm=$(perf report -i "$out" --sort comm --stdio 2>&1 |
    grep -E '^ +[0-9.]+%' | head -n 5)
  if [ -z "$by_comm" ]; then
    echo "perf recorded nothing usable: $(tail -n 3 "$out.err" | tr '\n' ' ')"
    return
  fi
  echo "samples by command (all CPUs):"
  echo "$by_comm"
  echo
  echo "top symbols in the server's processes (share of their samples):"
  perf report -i "$out" --comms server --percentage relative \
    --sort dso,sym --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 14
  echo
  echo "top symbols in its main process alone (pid $server_pid):"
  perf report -i "$out" --pid "$server_pid" --percentage relative \
    --sort dso,sym --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 8
}

# perf sched record while a round-trip run goes on: a stretch of the
# server CPU's timeline (who ran, how long after being woken, for how long),
# with the server's processes named by their role.
sched_run() {
  local out="$tmp/sched.$RANDOM" cpu_args=()
  timeout -k 5 120 perf sched record -a -o "$out" -- \
    "${PIN_BENCH[@]}" "$BENCH" rtt -n 0 -m 2000 -d 10 --json -q \
    -p "$server_port" >/dev/null 2>"$out.err" || return 0
  [ "$PLACEMENT" = split ] && cpu_args=(-C 0)
  echo "time (s)        CPU   task            waited (ms) sched delay (ms) ran (ms)"
  # Every server process but the broker is a worker here (the spawner does
  # not run while nobody connects).
  perf sched timehist -i "$out" "${cpu_args[@]}" 2>/dev/null |
    grep -E '\[[0-9]+\]' | tail -n 400 | head -n 16 |
    sed -E -e "s/server\[$server_pid\]/broker/" \
      -e 's/server\[([0-9]+)\]/worker[\1]/' -e 's/ +/ /g'
}

# While 200 sessions are held: the main process's and one worker's size, and
# that worker's largest mappings by Pss.
memory_run() {
  timeout -k 5 60 "${PIN_BENCH[@]}" "$BENCH" hold -n 200 -d 3 --json -q \
    --concurrency "$CONCURRENCY" -p "$server_port" >/dev/null 2>&1 &
  local bench_pid=$! i worker=""
  for ((i = 0; i < 200; i++)); do
    [ "$(tree_pids "$server_pid" | wc -l)" -ge 201 ] && break
    sleep 0.1
  done
  worker=$(tree_pids "$server_pid" | sed -n 101p)
  if [ -n "$worker" ]; then
    echo "main process $server_pid: $(grep -E '^(VmRSS|VmPTE)' "/proc/$server_pid/status" | tr -s ' \t' ' ' | paste -sd ',')"
    echo "worker $worker: $(grep -E '^(VmRSS|VmPTE)' "/proc/$worker/status" | tr -s ' \t' ' ' | paste -sd ',')"
    grep -E '^(Rss|Pss|Pss_Anon|Pss_File|Pss_Shmem|Private_Dirty|Shared_Dirty):' \
      "/proc/$worker/smaps_rollup" | tr -s ' '
    echo "its largest mappings by Pss (KiB Pss, KiB Rss, mapping):"
    awk '/^[0-9a-f]+-[0-9a-f]+ /{ m = $1 " " $2 " " $6 }
         /^Rss:/ { r = $2 } /^Pss:/ { print $2, r, m }' "/proc/$worker/smaps" |
      sort -rn | head -n 6
  fi
  wait "$bench_pid" 2>/dev/null
}

if [ "$PROFILE" = 1 ]; then
  echo "run-bench: evidence pass (strace, perf, memory) on ./server" >&2
  if command -v strace >/dev/null; then
    start_ours
    strace_rtt=$(strace_run rtt -n 0 -m 200 --warmup 0 -d 10)
    strace_rtt_trips=$(jget "$tmp/last_strace.json" expected)
    stop_server
    start_ours
    strace_fanout=$(strace_run fanout -n 100 -w 16 -m 200 -d 10)
    strace_fanout_deliveries=$(jget "$tmp/last_strace.json" deliveries)
    stop_server
  fi
  if command -v perf >/dev/null &&
    perf record -a -o "$tmp/perf.probe" -- true >/dev/null 2>&1; then
    start_ours
    perf_fanout=$(perf_run fanout -n 1000 -w 16 -m 300 -d 15 --concurrency "$CONCURRENCY")
    stop_server
    start_ours
    perf_churn=$(perf_run churn -c 16 -d 3)
    stop_server
    start_ours
    perf_hold=$(perf_run hold -n 1500 -d 1 -t 60 --concurrency "$CONCURRENCY")
    stop_server
    start_ours
    # Two users only: the timeline then shows one message's whole path.
    sched_rtt=$(sched_run)
    stop_server
  else
    perf_note="perf is not usable here (not installed or not permitted)."
  fi
  start_ours
  worker_memory=$(memory_run)
  stop_server
fi

if [ "$have_ngircd" = 1 ]; then
  ngircd_version=$("$NGIRCD" --version 2>/dev/null | head -n 1)
  run_cases ngircd --irc
  # Like for like with our hold, which announces every JOIN to every user:
  # ngircd's users also join one channel, so each join is announced to all.
  if grep -qE -- "$ONLY" <<<"hold5000"; then
    saved_cases=("${CASES[@]}")
    CASES=("$HOLD_ANNOUNCED")
    run_cases ngircd --irc --hold-join
    CASES=("${saved_cases[@]}")
  fi
fi
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)

# --- BENCHMARKS.md ------------------------------------------------------------
fmt() { # a number, to 3-4 significant digits; "-" when empty
  [ -z "${1:-}" ] && { echo "-"; return; }
  awk -v v="$1" 'BEGIN {
    a = v < 0 ? -v : v
    if (a >= 100) printf "%.0f", v; else if (a >= 10) printf "%.1f", v;
    else printf "%.2f", v }'
}
ratio() { # $1/$2 to two decimals; "-" if either is missing or $2 is 0
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
    if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}
# Which is better for direction $3 (low or high): ours ($1) or the other
# ($2, named $4, default ngircd).
better() {
  awk -v a="${1:-}" -v b="${2:-}" -v d="$3" -v other="${4:-ngircd}" 'BEGIN {
    if (a == "" || b == "") { print "-"; exit }
    if (a + 0 == b + 0) print "even";
    else if ((d == "low") == (a + 0 < b + 0)) print "ours"; else print other }'
}
# One row of a comparison table: $1 title, $2 ours, $3 the other's, $4
# direction, $5 the other's name for the "better" column.
compare_row() {
  echo "| $1 | $(fmt "$2") | $(fmt "$3") | $(ratio "$2" "$3") | $(better "$2" "$3" "$4" "${5:-ngircd}") |"
}
calc() { awk "BEGIN { printf \"%.6g\", $1 }" 2>/dev/null; }
le() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { exit !(a != "" && b != "" && a + 0 <= b + 0) }'; }
ge() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { exit !(a != "" && b != "" && a + 0 >= b + 0) }'; }

O() { jget "$tmp/ours.$1.json" "$2"; }
# The runs the tables list: every case, and ngircd's like-for-like hold.
REPORT_CASES=("${CASES[@]}" "${OURS_ONLY[@]}")
if [ -f "$tmp/ngircd.hold5000join.json" ]; then
  REPORT_CASES+=("$HOLD_ANNOUNCED --hold-join (ngircd only)")
fi
N() { jget "$tmp/ngircd.$1.json" "$2"; }
V() { jget "$tmp/v1.$1.json" "$2"; }

ROWS=(
  "rtt p50, 0 idle users (µs)|rtt0|p50_us|low"
  "rtt p99, 0 idle users (µs)|rtt0|p99_us|low"
  "rtt p50, 1,000 idle users (µs)|rtt1000|p50_us|low"
  "rtt p99, 1,000 idle users (µs)|rtt1000|p99_us|low"
  "fanout 100 receivers, window 1: deliveries/s|fanout100w1|deliveries_per_s|high"
  "fanout 100 receivers, window 1: p50 send to last (µs)|fanout100w1|p50_us|low"
  "fanout 100 receivers, window 16: deliveries/s|fanout100w16|deliveries_per_s|high"
  "fanout 100 receivers, window 16: p50 send to last (µs)|fanout100w16|p50_us|low"
  "fanout 1,000 receivers, window 1: deliveries/s|fanout1000w1|deliveries_per_s|high"
  "fanout 1,000 receivers, window 1: p50 send to last (µs)|fanout1000w1|p50_us|low"
  "fanout 1,000 receivers, window 16: deliveries/s|fanout1000w16|deliveries_per_s|high"
  "fanout 1,000 receivers, window 16: p50 send to last (µs)|fanout1000w16|p50_us|low"
  "churn, 16 connectors, 10 s: sessions/s|churn16|sessions_per_s|high"
  "churn: session p50, connect to close (µs)|churn16|session_p50_us|low"
  "hold 5,000: seconds to reach 5,000|hold5000|reach_s|low"
  "hold 5,000: sessions held|hold5000|held|high"
  "hold 5,000: Pss per session (KiB)|hold5000|pss_kib_per_session|low"
  "hold 5,000, every join announced to all: seconds to reach 5,000|hold5000/hold5000join|reach_s|low"
  "hold 5,000, every join announced to all: sessions held|hold5000/hold5000join|held|high"
  "hold 10,000: seconds to reach 10,000|hold10000|reach_s|low"
  "hold 10,000: sessions held|hold10000|held|high"
  "hold 10,000: Pss per session (KiB)|hold10000|pss_kib_per_session|low"
  "login, 16 connectors, 10 s (ours only): logins/s|login16|logins_per_s|high"
  "login (ours only): logins/s per server CPU|login16|logins_per_s_per_cpu|high"
  "login (ours only): server CPU per login (ms)|login16|server_cpu_ms_per_login|low"
  "login (ours only): p50 connect to OK LOGIN (µs)|login16|login_p50_us|low"
  "hold 1,000 plain TCP (ours only): Pss per session (KiB)|hold1000|pss_kib_per_session|low"
  "hold 1,000 TLS (ours only): Pss per session (KiB)|tlshold1000|pss_kib_per_session|low"
  "hold 1,000 WebSocket (ours only): Pss per session (KiB)|wshold1000|pss_kib_per_session|low"
  "churn TLS, 16 connectors (ours only): handshakes (sessions)/s|tlschurn16|sessions_per_s|high"
  "churn TLS (ours only): session p50, connect to close (µs)|tlschurn16|session_p50_us|low"
  "file, one transfer of 64 MiB (ours only): MiB/s|file1|mib_per_s|high"
  "file, 4 transfers of 64 MiB at once (ours only): MiB/s, all together|file4|mib_per_s|high"
  "flood (ours only): quiet pair rtt p50, nobody flooding (µs)|floodbcst|quiet_p50_us|low"
  "flood BCST to 50, loopback exempt (ours only): quiet pair rtt p50 (µs)|floodbcst|p50_us|low"
  "flood BCST to 50, loopback exempt (ours only): quiet pair rtt p99 (µs)|floodbcst|p99_us|low"
  "flood BCST to 50, flooder limited (ours only): quiet pair rtt p50 (µs)|floodbcstlimited|p50_us|low"
  "flood BCST to 50, flooder limited (ours only): quiet pair rtt p99 (µs)|floodbcstlimited|p99_us|low"
  "flood LIST x4, 1,000 users, loopback exempt (ours only): quiet pair rtt p50 (µs)|floodlist|p50_us|low"
  "flood LIST x4, 1,000 users, loopback exempt (ours only): quiet pair rtt p99 (µs)|floodlist|p99_us|low"
  "flood LIST x4, 1,000 users, flooders limited (ours only): quiet pair rtt p50 (µs)|floodlistlimited|p50_us|low"
  "flood LIST x4, 1,000 users, flooders limited (ours only): quiet pair rtt p99 (µs)|floodlistlimited|p99_us|low"
)

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem_total=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
revision=$(git rev-parse --short HEAD 2>/dev/null || echo "uncommitted")

# Evidence lines for the targets.
cpu_per() { # case key-for-count: server CPU µs per counted unit
  local cpu count
  cpu=$(O "$1" server_cpu_s)
  count=$(O "$1" "$2")
  [ -n "$cpu" ] && [ -n "$count" ] && [ "$count" != 0 ] &&
    calc "$cpu * 1e6 / $count"
}
ngircd_cpu_per() {
  local cpu count
  cpu=$(N "$1" server_cpu_s)
  count=$(N "$1" "$2")
  [ -n "$cpu" ] && [ -n "$count" ] && [ "$count" != 0 ] &&
    calc "$cpu * 1e6 / $count"
}
share() { # percent of wall time the server (or its main process) was on CPU
  local cpu wall
  cpu=$(O "$1" "$2")
  wall=$(O "$1" measure_s)
  [ -n "$cpu" ] && [ -n "$wall" ] && [ "$wall" != 0 ] && calc "100 * $cpu / $wall"
}
mark() { if "$@"; then echo "**met**"; else echo "**not met**"; fi; }
# The same for a target measured against ngircd: skipped without it.
mark_vs() {
  if [ "$have_ngircd" = 0 ]; then
    echo "**skipped** (ngircd is not installed)"
  else
    mark "$@"
  fi
}

{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` (tests/bench/run-bench.sh) on $started_at; do"
  echo "not edit by hand, run it again. chat-bench(1) explains every figure."
  echo
  echo "## Machine and set-up"
  echo "- CPU: $cpu_model, $cpus CPUs; memory $mem_total; kernel $(uname -r)"
  echo "- load average before / after the runs: $load_before / $load_after"
  echo "  (the machine is shared; figures move with what else runs)"
  echo "- chat-server revision $revision, built with the Makefile's default flags"
  echo "- reference: ${ngircd_version:-ngircd not installed}, configured from"
  echo "  tests/bench/ngircd.conf.in (MaxPenaltyTime = 0, no DNS/ident/PAM)"
  echo "- placement: $placement"
  echo "- both servers get the same runs; chat-bench sets up at most"
  echo "  $CONCURRENCY connections at once (ngircd's listen backlog is 10),"
  echo "  spreads them over 64 source addresses in 127.0.0.0/8 and runs with an"
  echo "  fd limit of $fd_limit. Against ngircd it speaks IRC: NICK/USER,"
  echo "  PRIVMSG to a nick (rtt), PRIVMSG to #bench (fanout; receivers and"
  echo "  sender join it). In hold, IRC users only register (NICK/USER), while"
  echo "  the chat server announces every JOIN to every user: its hold does"
  echo "  O(users²) more work, and 'seconds to reach' is not like for like."
  echo "  The rows 'every join announced to all' compare like with like: there"
  echo "  ngircd's users also join one channel (chat-bench --hold-join), so"
  echo "  ngircd announces each join to every user as well."
  echo
  echo "## Ours against ngircd"
  echo
  echo "| figure | ours | ngircd | ours/ngircd | better |"
  echo "|---|---:|---:|---:|---|"
  for row in "${ROWS[@]}"; do
    IFS='|' read -r title name key direction <<<"$row"
    compare_row "$title" "$(O "${name%/*}" "$key")" "$(N "${name#*/}" "$key")" \
      "$direction"
  done
  echo
  echo "Every run counts what should have arrived and what did; all must be 0:"
  echo
  echo "| run | ours lost | ours errors | ngircd lost | ngircd errors | first problem |"
  echo "|---|---:|---:|---:|---:|---|"
  for entry in "${REPORT_CASES[@]}"; do
    name=${entry%%|*}
    problem="$(O "$name" first_problem)"
    [ -n "$(N "$name" first_problem)" ] && problem="$problem ngircd: $(N "$name" first_problem)"
    echo "| $name | $(O "$name" lost) | $(O "$name" errors) | $(N "$name" lost) | $(N "$name" errors) | ${problem:--} |"
  done
  echo
  echo "Where the CPU went while measuring: seconds of CPU, server = all its"
  echo "processes, main = its main process alone; chat-bench's own CPU shows"
  echo "whether the load generator was the bound (it is one thread: at most the"
  echo "wall time):"
  echo
  echo "| run | ours wall | ours server | ours main | ours chat-bench | ours main RSS at end (MiB) | ngircd wall | ngircd server | ngircd chat-bench |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for entry in "${REPORT_CASES[@]}"; do
    name=${entry%%|*}
    echo "| $name | $(fmt "$(O "$name" measure_s)") | $(fmt "$(O "$name" server_cpu_s)") | $(fmt "$(O "$name" server_main_cpu_s)") | $(fmt "$(O "$name" bench_cpu_s)") | $(fmt "$(calc "$(O "$name" server_main_rss_kib) / 1024")") | $(fmt "$(N "$name" measure_s)") | $(fmt "$(N "$name" server_cpu_s)") | $(fmt "$(N "$name" bench_cpu_s)") |"
  done
  echo
  echo "The commands: \`chat-bench <run> ${COMMON[*]} -p PORT --server-pid PID\`"
  echo "(plus \`--irc\` for ngircd), where <run> is:"
  echo
  for entry in "${REPORT_CASES[@]}"; do echo "- ${entry%%|*}: \`${entry#*|}\`"; done
  echo
  echo "## Ours against version 1"
  echo
  if [ "$have_v1" = 1 ]; then
    echo "Version 1 (revision $V1_REV, the last before version 2 of the protocol;"
    echo "built here from this repository's history with its own Makefile's"
    echo "defaults) got the same runs as ours, each right after ours, with the"
    echo "same options (less ours' version 2 ones, which it does not have);"
    echo "ours keeps its store (--data-dir) and its sandbox, as an operator"
    echo "would run it. Its"
    echo "figures are the ones no later version may regress; the ratio shows"
    echo "by how much each moved, measured in this one run."
    echo
    echo "| figure | ours | version 1 | ours/v1 | better |"
    echo "|---|---:|---:|---:|---|"
    for row in "${ROWS[@]}"; do
      IFS='|' read -r title name key direction <<<"$row"
      case $name in */*) continue ;; esac
      [ -f "$tmp/v1.$name.json" ] || continue
      compare_row "$title" "$(O "$name" "$key")" "$(V "$name" "$key")" \
        "$direction" "version 1"
    done
    echo
    v1_problems=""
    for entry in "${CASES[@]}"; do
      name=${entry%%|*}
      [ "$(V "$name" ok)" = true ] ||
        v1_problems="$v1_problems $name ($(V "$name" first_problem))"
    done
    echo "Version 1's runs with something lost, a protocol error or no result:"
    echo "${v1_problems:- none}."
  else
    echo "Not measured: ${v1_note:-BENCH_V1=none}."
  fi
  echo
  echo "## Targets"
  echo
  o=$(O rtt1000 p50_us)
  n=$(N rtt1000 p50_us)
  echo "### rtt p50 with 1,000 idle users no worse than ngircd: $(mark_vs le "$o" "$n")"
  echo "ours $(fmt "$o") µs, ngircd $(fmt "$n") µs. Server CPU per round trip:"
  echo "ours $(fmt "$(cpu_per rtt1000 received)") µs, ngircd $(fmt "$(ngircd_cpu_per rtt1000 received)") µs;"
  echo "server processes switched in per round trip: ours"
  echo "$(fmt "$(calc "$(O rtt1000 server_switches) / $(O rtt1000 received)" 2>/dev/null)"), ngircd"
  echo "$(fmt "$(calc "$(N rtt1000 server_switches) / $(N rtt1000 received)" 2>/dev/null)")."
  echo "What bounds ours: each message crosses three of our processes (the"
  echo "sender's worker, the broker, the recipient's worker) and two TCP writes"
  echo "(the chat protocol answers OK MESG; IRC answers nothing), where ngircd"
  echo "has one process and one write; the timeline under the next target shows"
  echo "the path. Idle users cost us nothing per message (their workers sleep)."
  n_cpu=$(ngircd_cpu_per rtt1000 received)
  if [ -n "$n_cpu" ] && [ -n "$n" ] && ge "$n_cpu" "$n"; then
    echo "ngircd used more CPU per round trip ($(fmt "$n_cpu") µs) than the round trip"
    echo "took: with 1,000 idle connections it stays on its CPU between"
    echo "messages, so its CPU never halts and it never pays the ~20 µs wake-up"
    echo "of a halted virtual CPU that each direction costs ours (the 'sched"
    echo "delay' after <idle> below)."
  fi
  echo "Both servers' round trips move by tens of microseconds from run to run"
  echo "here (every direction waits for a halted virtual CPU to wake), so a"
  echo "ratio near 1 can fall on either side in a given run."
  echo
  o=$(O rtt0 p50_us)
  n=$(N rtt0 p50_us)
  echo "### rtt p50 with 0 idle users within 2x of ngircd: $(mark_vs le "$o" "$(calc "2 * ${n:-0}")")"
  echo "ours $(fmt "$o") µs, ngircd $(fmt "$n") µs (ratio $(ratio "$o" "$n")). Server CPU per"
  echo "round trip: ours $(fmt "$(cpu_per rtt0 received)") µs, ngircd $(fmt "$(ngircd_cpu_per rtt0 received)") µs."
  echo "When the p50 is far above the CPU per round trip, the round trip is"
  echo "spent waiting, not computing (wake-ups across processes and CPUs, or"
  echo "a TCP segment held back)."
  if [ -n "$sched_rtt" ]; then
    echo "The server's CPU during round trips between two users (perf sched"
    echo "timehist; <idle> is the CPU waiting for the next message). Each"
    echo "direction runs the sender's worker (it reads the MESG and hands it to"
    echo "the broker), the broker, the sender's worker again (it writes OK MESG:"
    echo "the chat protocol answers every message, IRC does not), then the"
    echo "recipient's worker (it writes the MESG): ngircd does the same in one"
    echo "process and one TCP write. 'sched delay' is the time from a wake-up to"
    echo "running, most of it a halted virtual CPU being woken:"
    echo
    echo '```'
    echo "$sched_rtt"
    echo '```'
  fi
  if [ -n "$strace_rtt" ]; then
    echo "System calls of the whole server for ${strace_rtt_trips:-?} round trips (strace -c -f;"
    echo "strace slows everything, so only the counts mean something):"
    echo
    echo '```'
    echo "$strace_rtt"
    echo '```'
  fi
  echo
  o=$(O fanout1000w16 deliveries_per_s)
  n=$(N fanout1000w16 deliveries_per_s)
  echo "### fanout 1,000 receivers, window 16: deliveries/s at least ngircd's: $(mark_vs ge "$o" "$n")"
  echo "ours $(fmt "$o")/s, ngircd $(fmt "$n")/s. Server CPU per delivery: ours"
  echo "$(fmt "$(cpu_per fanout1000w16 deliveries)") µs, ngircd $(fmt "$(ngircd_cpu_per fanout1000w16 deliveries)") µs. Our server was on a CPU"
  echo "$(fmt "$(share fanout1000w16 server_cpu_s)") % of the wall time (all processes; 100 % = one CPU), its main"
  echo "process $(fmt "$(share fanout1000w16 server_main_cpu_s)") %."
  hop=$(jget "$tmp/switch.json" hop_us)
  if [ -n "$hop" ]; then
    echo "Each delivery pass wakes every receiver's process, and here passing"
    echo "the CPU from one process to another costs $(fmt "$(jget "$tmp/switch.json" hop_us_2)") µs between two processes"
    echo "but $(fmt "$hop") µs in a ring of 1,000 (\`chat-bench switch\`; the ring had"
    echo "$(fmt "$(calc "100 * $(jget "$tmp/switch.json" cpu_share)")") % of its CPU). A pass to 1,000 receivers switches at least"
    echo "2,000 times (to each worker and back to the broker): $(fmt "$(calc "2 * $hop")") ms of switching"
    echo "alone, so with 16 lines per pass at most $(fmt "$(calc "16 * 1000 / (2 * 1000 * $hop / 1e6)")") deliveries/s before any"
    echo "system call is made; ngircd wakes no process per receiver."
  fi
  if [ -n "$strace_fanout" ]; then
    echo "System calls of the whole server for ${strace_fanout_deliveries:-?} deliveries (100 receivers,"
    echo "window 16; strace -c -f):"
    echo
    echo '```'
    echo "$strace_fanout"
    echo '```'
  fi
  if [ -n "$perf_fanout" ]; then
    echo "CPU profile during fanout, 1,000 receivers, window 16 (perf record -a):"
    echo
    echo '```'
    echo "$perf_fanout"
    echo '```'
  fi
  echo
  o=$(O churn16 sessions_per_s)
  echo "### churn at least 10,000 sessions/s: $(mark ge "$o" 10000)"
  echo "ours $(fmt "$o")/s (ngircd $(fmt "$(N churn16 sessions_per_s)")/s). Server CPU per session: ours"
  echo "$(fmt "$(cpu_per churn16 sessions)") µs, of which its main process"
  echo "$(fmt "$(calc "$(O churn16 server_main_cpu_s) * 1e6 / $(O churn16 sessions)" 2>/dev/null)") µs; ngircd $(fmt "$(ngircd_cpu_per churn16 sessions)") µs."
  echo "Our server was on a CPU $(fmt "$(share churn16 server_cpu_s)") % of the wall time, its main process"
  echo "$(fmt "$(share churn16 server_main_cpu_s)") %; its processes took $(fmt "$(calc "$(O churn16 server_minor_faults) / $(O churn16 sessions)" 2>/dev/null)") page faults per session"
  echo "(each new process faults in every page it touches first). fork() copies the parent's page tables: after hold, each"
  echo "of our processes had $(fmt "$(calc "$(O hold10000 page_table_kib) / $(O hold10000 server_processes)" 2>/dev/null)") KiB of them (VmPTE)."
  fork_us=$(jget "$tmp/fork.json" mean_us)
  if [ -n "$fork_us" ]; then
    echo "The floor for a process per session on this machine (\`chat-bench fork\`:"
    echo "fork, _exit and waitpid of a $(fmt "$(calc "$(jget "$tmp/fork.json" parent_rss_kib) / 1024")") MiB process on the server's CPU):"
    echo "$(fmt "$fork_us") µs mean, $(fmt "$(jget "$tmp/fork.json" p50_us)") µs median, so at most $(fmt "$(calc "1e6 / $fork_us")") sessions/s"
    echo "per CPU before any protocol work is done."
  fi
  if [ -n "$perf_churn" ]; then
    echo
    echo "CPU profile during churn (perf record -a):"
    echo
    echo '```'
    echo "$perf_churn"
    echo '```'
  fi
  echo
  o=$(O hold10000 held)
  held=${o:-0}
  [ "$held" = 0 ] && held=1
  echo "### hold: $HOLD_BIG sessions held, none lost: $(mark ge "$o" "$HOLD_BIG")"
  echo "held ${o:-none} of $HOLD_BIG, lost $(O hold10000 lost); registering took"
  echo "$(fmt "$(O hold10000 reach_s)") s with every JOIN announced to all ($(O hold10000 announced) announcements;"
  echo "server CPU $(fmt "$(O hold10000 server_cpu_s)") s, main process $(fmt "$(O hold10000 server_main_cpu_s)") s, main process"
  echo "resident $(fmt "$(calc "$(O hold10000 server_main_rss_kib) / 1024")") MiB at the end). $(O hold10000 first_problem)"
  if [ -n "$perf_hold" ]; then
    echo
    echo "CPU profile while 1,500 users register (perf record -a):"
    echo
    echo '```'
    echo "$perf_hold"
    echo '```'
  fi
  echo
  o=$(O hold10000 pss_kib_per_session)
  echo "### hold: Pss per session at most 64 KiB: $(mark le "$o" 64)"
  echo "$(fmt "$o") KiB per session ($(O hold10000 held) sessions, $(O hold10000 server_processes) processes); per session:"
  echo "anonymous $(fmt "$(calc "$(O hold10000 pss_anon_kib) / $held")") KiB, files $(fmt "$(calc "$(O hold10000 pss_file_kib) / $held")") KiB, shared memory"
  echo "$(fmt "$(calc "$(O hold10000 pss_shmem_kib) / $held")") KiB; page tables (not in the Pss) $(fmt "$(calc "$(O hold10000 page_table_kib) / $held")") KiB more."
  echo "ngircd: $(fmt "$(N hold10000 pss_kib_per_session)") KiB per session."
  if [ -n "$worker_memory" ]; then
    echo "Our server holding 200 sessions (a fresh server; sizes in KiB):"
    echo
    echo '```'
    echo "$worker_memory"
    echo '```'
  fi
  echo
  o=$(O login16 logins_per_s)
  echo "### login: logins per second and per CPU, Argon2id included (no target)"
  echo "ours $(fmt "$o") logins/s on $(O login16 server_cpus) server CPU(s): $(fmt "$(O login16 logins_per_s_per_cpu)")/s per CPU;"
  echo "server CPU per login $(fmt "$(O login16 server_cpu_ms_per_login)") ms (the whole session: a worker"
  echo "forked, the password checked with Argon2id at 19 MiB and 2 passes, the store's"
  echo "login and audit records), login p50 $(fmt "$(O login16 login_p50_us)") µs, p99"
  echo "$(fmt "$(O login16 login_p99_us)") µs from connecting to OK LOGIN. The server hashes at most one"
  echo "password per CPU at a time, so the hash bounds logins per CPU; churn's"
  echo "sessions, which hash nothing, show what the rest costs. ngircd has no"
  echo "accounts and takes no part."
  echo
  echo "### ways in: a session's memory over plain TCP, TLS and WebSocket; TLS handshakes (no target)"
  echo "Pss per session with 1,000 held, ours alone, each against a fresh server with"
  echo "that listener: plain $(fmt "$(O hold1000 pss_kib_per_session)") KiB, TLS $(fmt "$(O tlshold1000 pss_kib_per_session)") KiB"
  echo "(GnuTLS's session state, record buffers and keys in each worker), WebSocket"
  echo "$(fmt "$(O wshold1000 pss_kib_per_session)") KiB (the upgrade's HTTP state and wslay's context). TLS churn:"
  echo "$(fmt "$(O tlschurn16 sessions_per_s)") sessions/s, each a full handshake (ECDSA P-256, no resumption:"
  echo "the server keeps no tickets or cache), against $(fmt "$(O churn16 sessions_per_s)") plain;"
  echo "session p50 $(fmt "$(O tlschurn16 session_p50_us)") µs against $(fmt "$(O churn16 session_p50_us)") µs plain."
  echo
  bad=""
  for entry in "${CASES[@]}" "${OURS_ONLY[@]}"; do
    name=${entry%%|*}
    [ "$(O "$name" lost)" = 0 ] && [ "$(O "$name" errors)" = 0 ] || bad="$bad $name"
  done
  echo "### lost messages 0 in every scenario: $(mark test -z "$bad")"
  if [ -z "$bad" ]; then
    echo "Every run of ours counted 0 lost and 0 protocol errors."
  else
    echo "Runs with losses, errors or no result:$bad (see the table above)."
  fi
  [ -n "$perf_note" ] && echo && echo "$perf_note"
} >"$tmp/BENCHMARKS.md"

mkdir -p "$(dirname "$OUT")" && cp "$tmp/BENCHMARKS.md" "$OUT" ||
  die "cannot write $OUT"
echo "run-bench: wrote $OUT" >&2
if [ "$have_ngircd" = 0 ]; then
  echo "run-bench: the comparison with ngircd was skipped (not installed)" >&2
fi
if [ -n "$bad" ]; then
  echo "run-bench: FAILED: runs with losses, protocol errors or no result:$bad" >&2
  exit 1
fi
