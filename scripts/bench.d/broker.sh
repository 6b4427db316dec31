# Shared by every scripts/bench.d benchmark (sourced, not a benchmark itself):
# a private mosquitto on a free loopback port, the bench table helpers, the
# agent build, and cleanup of everything a benchmark started.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_dir=$(mktemp -d /tmp/box-bench.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  [ -n "${broker_pid:-}" ] && kill -KILL "$broker_pid" 2>/dev/null || true
  rm -rf "$bench_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# As many descriptors as we may have: 10,000 boxes are 10,000 broker sockets.
ulimit -n "$(ulimit -Hn)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "n/a"), a / b }'; }
row() { printf '%-40s %12s   %-38s %12s   ratio %s\n' "$1" "$2" "$3" "$4" "$(ratio "${2%% *}" "${4%% *}")"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# A port outside the ephemeral range (the clients' own ports come from there).
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 12000))
    (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port"
}

broker_port=$(free_port)
broker_url=mqtt://127.0.0.1:$broker_port
cat >"$bench_dir/mosquitto.conf" <<C
listener $broker_port 127.0.0.1
# Started as root mosquitto would switch to its own user and could not write its log here.
user $(id -un)
allow_anonymous true
max_connections -1
persistence false
# Without it mosquitto's small packets wait for delayed ACKs (40 ms round trips).
set_tcp_nodelay true
max_queued_messages 100000
log_dest file $bench_dir/mosquitto.log
log_type error
log_type warning
# "New client connected … as ID" lines with a Unix-seconds stamp: the broker's own count of connects per second.
log_type notice
log_timestamp_format %s
C

kill_broker() {
  kill -KILL "$broker_pid" 2>/dev/null || true
  for _ in $(seq 1 500); do kill -0 "$broker_pid" 2>/dev/null || return 0; sleep 0.01; done
}

start_broker() {
  mosquitto -c "$bench_dir/mosquitto.conf" >/dev/null 2>&1 &
  broker_pid=$!
  disown "$broker_pid" # killed on purpose: no job notice
  for _ in $(seq 1 500); do
    (echo >"/dev/tcp/127.0.0.1/$broker_port") 2>/dev/null && return
    kill -0 "$broker_pid" 2>/dev/null || die "mosquitto exited: $(cat "$bench_dir/mosquitto.log" 2>/dev/null)"
    sleep 0.01
  done
  die "mosquitto does not listen on $broker_port"
}

# Waits up to $2 seconds for a line matching $3 in file $1.
wait_line() {
  local file=$1 secs=$2 pattern=$3
  for _ in $(seq 1 $((secs * 10))); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# The NativeAOT box-agent for this host; prints its path.
build_agent() {
  local agent
  agent=$("$BOX_ROOT/scripts/build-agent" --rid linux-x64 2>"$bench_dir/build.log" | tail -n1)
  [ -x "$agent" ] || die "build-agent failed: $(tail -n 5 "$bench_dir/build.log")"
  echo "$agent"
}

# box-fleetsim (Release), built once; run "$FS" directly so $! is its pid.
build_fleetsim() {
  "$BOX_ROOT/scripts/fleetsim" --help >/dev/null
  FS=$BOX_ARTIFACTS/bin/Box.FleetSim/release/box-fleetsim
}
