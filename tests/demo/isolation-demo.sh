#!/usr/bin/env bash
# Process-isolation demo: starts a server and three scripted users, SIGKILLs
# one user's worker process and shows that only that session ends. Checks
# every step and exits non-zero if any expectation fails.
#
# Usage: tests/demo/isolation-demo.sh   (from the repository root; `make demo`)
# Runs $CHAT_BIN_DIR/server (default ./server). Every wait is bounded by
# DEMO_TIMEOUT seconds (default 5); nothing sleeps for a fixed time.
set -u

BIN_DIR=${CHAT_BIN_DIR:-.}
SERVER=$BIN_DIR/server
TIMEOUT=${DEMO_TIMEOUT:-5}
HOST=127.0.0.1

failures=0
srv_pid=""
spawner_pid=""  # the broker's first child, which starts every worker
srv_out=""
work_dir=""
declare -A fd_of=()      # user -> its socket's fd in this shell
declare -A worker_of=()  # user -> pid of the worker process serving it

# --- Narration ---------------------------------------------------------------
if [[ -t 1 ]]; then
  bold=$'\e[1m' green=$'\e[32m' red=$'\e[31m' plain=$'\e[0m'
else
  bold="" green="" red="" plain=""
fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }
say() { printf '    %s\n' "$*"; }
pass() { printf '    %sok%s    %s\n' "$green" "$plain" "$*"; }
fail() {
  printf '    %sFAIL%s  %s\n' "$red" "$plain" "$*"
  failures=$((failures + 1))
}
die() {
  fail "$*"
  printf '\n%sdemo aborted%s\n' "$red" "$plain"
  exit 1
}

# --- Deadlines ---------------------------------------------------------------
now_us() { echo $((10#${EPOCHREALTIME/./})); }
deadline_in() { echo $(($(now_us) + $1 * 1000000)); }
# The time left until a deadline as "S.UUUUUU" for read -t; fails when none.
time_left() {
  local left=$(($1 - $(now_us)))
  ((left > 0)) || return 1
  printf '%d.%06d' $((left / 1000000)) $((left % 1000000))
}

# --- Processes ---------------------------------------------------------------
children_of() {
  local file
  for file in /proc/"$1"/task/*/children; do
    [[ -r $file ]] && cat "$file"
  done | tr ' ' '\n' | grep -E '^[0-9]+$' | sort -n
}
# The broker's children but its spawner: its workers.
workers_of() {
  children_of "$1" | grep -vx "${spawner_pid:-none}"
}
# True while `pid` is a live process; a zombie counts as gone.
alive() {
  local state
  state=$(awk '{ print $3 }' /proc/"$1"/stat 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}
show_tree() {
  if command -v ps >/dev/null; then
    ps --forest -o pid,ppid,args --pid "$srv_pid" --ppid "$srv_pid" |
      sed 's/^/    | /'
  else
    local pid
    for pid in "$srv_pid" $(children_of "$srv_pid"); do
      printf '    | %7s  %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline")"
    done
  fi
}
check_one_worker_per_user() {
  local children user count
  children=$(workers_of "$srv_pid")
  count=$(grep -c . <<<"$children")
  if ((count == ${#fd_of[@]})); then
    pass "$count connections, $count worker processes, each a child of the broker"
  else
    fail "expected ${#fd_of[@]} workers (one per connection), found $count"
  fi
  for user in "${!worker_of[@]}"; do
    grep -qx "${worker_of[$user]}" <<<"$children" ||
      fail "$user's worker ${worker_of[$user]} is not a child of the broker"
  done
}

# --- Users: raw TCP connections ------------------------------------------------
send() {
  printf '    %-6s -> %s\n' "$1" "$2"
  { printf '%s\n' "$2" >&"${fd_of[$1]}"; } 2>/dev/null ||
    fail "$1 could not send \"$2\""
}

# Reads user $1's lines, printing each, until one equals $2 (or, with $3 set
# to "prefix", starts with $2).
expect() {
  local user=$1 want=$2 mode=${3:-exact} line left n=0
  local deadline
  deadline=$(deadline_in "$TIMEOUT")
  while ((n < 100)) && left=$(time_left "$deadline"); do
    IFS= read -r -t "$left" -u "${fd_of[$user]}" line || break
    line=${line%$'\r'}
    printf '    %-6s <- %s\n' "$user" "$line"
    if [[ $line == "$want" || ($mode == prefix && $line == "$want"*) ]]; then
      pass "$user received \"$line\""
      return 0
    fi
    n=$((n + 1))
  done
  fail "$user did not receive \"$want\" within ${TIMEOUT}s"
  return 1
}

# Waits for the server to close user $1's connection (end of file).
expect_closed() {
  local user=$1 line left status n=0
  local deadline
  deadline=$(deadline_in "$TIMEOUT")
  while ((n < 100)) && left=$(time_left "$deadline"); do
    IFS= read -r -t "$left" -u "${fd_of[$user]}" line
    status=$?
    ((status > 128)) && break  # timed out
    [[ -n $line ]] && printf '    %-6s <- %s\n' "$user" "${line%$'\r'}"
    if ((status != 0)); then
      pass "$user's connection was closed by the server"
      return 0
    fi
    n=$((n + 1))
  done
  fail "$user's connection was not closed within ${TIMEOUT}s"
  return 1
}

# Connects user $1 and records the worker started for it: the one child of
# the broker that was not there before. The HELLO line proves the worker runs.
connect() {
  local user=$1 before after fd
  before=$(children_of "$srv_pid")
  exec {fd}<>"/dev/tcp/$HOST/$port" || die "$user cannot connect to $HOST:$port"
  fd_of[$user]=$fd
  say "$user connects to $HOST:$port"
  expect "$user" "HELLO " prefix || return 1
  after=$(children_of "$srv_pid")
  worker_of[$user]=$(comm -13 <(echo "$before") <(echo "$after") | head -n 1)
  if [[ -n ${worker_of[$user]} ]]; then
    say "the spawner started worker ${worker_of[$user]} for $user"
  else
    fail "no new worker process appeared for $user"
  fi
}

disconnect() {
  local fd=${fd_of[$1]}
  exec {fd}>&-
  unset "fd_of[$1]" "worker_of[$1]"
}

cleanup() {
  local user fd
  for user in "${!fd_of[@]}"; do
    fd=${fd_of[$user]}
    exec {fd}>&-
  done
  if [[ -n $srv_pid ]] && alive "$srv_pid"; then
    kill -TERM "$srv_pid" 2>/dev/null
    # The server's stdout ends once the broker and every worker are gone.
    read -r -t "$TIMEOUT" -u "$srv_out" _ 2>/dev/null
    alive "$srv_pid" && kill -KILL "$srv_pid" 2>/dev/null
  fi
  [[ -n $work_dir ]] && rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The demo ----------------------------------------------------------------
[[ -x $SERVER ]] || die "$SERVER not found: run make first (or set CHAT_BIN_DIR)"
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/chat-demo.XXXXXX") || die "mktemp failed"
mkfifo "$work_dir/stdout" || die "mkfifo failed"

step "Start the server on a free port (port 0)"
say "\$ $SERVER --bind $HOST 0"
"$SERVER" --bind "$HOST" 0 <"/dev/null" >"$work_dir/stdout" 2>"$work_dir/log" &
srv_pid=$!
broker_pid=$srv_pid
exec {srv_out}<"$work_dir/stdout"
IFS= read -r -t "$TIMEOUT" -u "$srv_out" line ||
  die "no 'listening on' line from the server within ${TIMEOUT}s"
say "server: $line"
[[ $line =~ ^listening\ on\ .*:([0-9]+)$ ]] || die "unexpected first line: $line"
port=${BASH_REMATCH[1]}
pass "the broker (pid $srv_pid) listens on port $port"
spawner_pid=$(children_of "$srv_pid")
if [[ $spawner_pid =~ ^[0-9]+$ ]]; then
  pass "its spawner (pid $spawner_pid) is its one child before any connection"
else
  fail "expected exactly one child (the spawner) at start-up, found: $spawner_pid"
fi

step "Alice, Bob and Carol connect and JOIN"
connect Alice
send Alice "JOIN Alice"
expect Alice "OK JOIN Alice"
connect Bob
send Bob "JOIN Bob"
expect Bob "OK JOIN Bob"
expect Alice "JOINED Bob"
connect Carol
send Carol "JOIN Carol"
expect Carol "OK JOIN Carol"
expect Alice "JOINED Carol"
expect Bob "JOINED Carol"

step "The process tree: one broker, its spawner, one worker per connection"
show_tree
for user in Alice Bob Carol; do
  say "$user is served by worker ${worker_of[$user]:-?}"
done
check_one_worker_per_user

step "Everyone chats"
send Bob "BCST Hello from Bob"
expect Bob "OK BCST 2"
expect Alice "BCST Bob Hello from Bob"
expect Carol "BCST Bob Hello from Bob"

victim=${worker_of[Bob]:-}
[[ -n $victim ]] || die "Bob's worker is unknown; cannot go on"
step "SIGKILL Bob's worker (pid $victim), as if it had crashed"
say "\$ kill -KILL $victim"
kill -KILL "$victim" || die "kill -KILL $victim failed"
expect Alice "LEFT Bob"
expect Carol "LEFT Bob"
expect_closed Bob
if alive "$victim"; then
  fail "worker $victim is still alive"
else
  pass "worker $victim is gone (reaped by the broker)"
fi
disconnect Bob
if alive "$srv_pid"; then
  pass "the broker (pid $srv_pid) is still running"
else
  die "the broker died too"
fi
show_tree
check_one_worker_per_user

step "Alice and Carol keep chatting"
send Alice "BCST Bob is gone. Still there, Carol?"
expect Alice "OK BCST 1"
expect Carol "BCST Alice Bob is gone. Still there, Carol?"
send Carol "MESG alice Yes, still here"
expect Carol "OK MESG Alice"
expect Alice "MESG Carol Yes, still here"
send Alice "LIST"
expect Alice "LIST Alice,Carol"

step "The name Bob is free again: a new connection JOINs as Bob"
connect Bob
send Bob "JOIN Bob"
expect Bob "OK JOIN Bob"
expect Alice "JOINED Bob"
expect Carol "JOINED Bob"
send Bob "MESG Carol I am back"
expect Bob "OK MESG Carol"
expect Carol "MESG Bob I am back"
say "Bob is now served by worker ${worker_of[Bob]:-?}"
show_tree
check_one_worker_per_user

step "SIGTERM the broker: every client gets BYE, nothing is left behind"
workers=$(children_of "$srv_pid")
say "\$ kill -TERM $srv_pid"
kill -TERM "$srv_pid" || die "kill -TERM $srv_pid failed"
for user in Alice Bob Carol; do
  expect "$user" "BYE Server shutting down"
  expect_closed "$user"
done
# The broker and its workers share its stdout: end of file there means every
# one of them has exited.
if read -r -t "$TIMEOUT" -u "$srv_out" line; then
  fail "unexpected server output: $line"
elif (($? > 128)); then
  fail "the server's processes did not all exit within ${TIMEOUT}s"
fi
if alive "$srv_pid"; then
  fail "the broker is still running"
else
  wait "$srv_pid"
  status=$?
  srv_pid=""
  if ((status == 0)); then
    pass "the broker exited with status 0"
  else
    fail "the broker exited with status $status, expected 0"
  fi
fi
survivors=""
for pid in $workers; do
  alive "$pid" && survivors+=" $pid"
done
if [[ -z $survivors ]]; then
  pass "no worker nor the spawner survived (pids $(paste -sd, <<<"$workers"))"
else
  fail "children of the broker still running:$survivors"
fi
# The registry's shared-memory object is named after the broker's pid.
leftovers=$(compgen -G "/dev/shm/chat-server.$broker_pid.*")
if [[ -z $leftovers ]]; then
  pass "nothing of this server (chat-server.$broker_pid.*) is left in /dev/shm"
else
  fail "left in /dev/shm: $leftovers"
fi

step "The server's status log (stderr)"
sed 's/^/    | /' "$work_dir/log"

echo
if ((failures == 0)); then
  printf '%sDemo passed:%s a killed worker ended one session; the others never noticed.\n' \
    "$green" "$plain"
  exit 0
fi
printf '%sDemo failed:%s %d expectation(s) not met.\n' "$red" "$plain" "$failures"
exit 1
