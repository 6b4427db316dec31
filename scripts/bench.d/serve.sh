# Shared by the serve benchmarks (sourced): chunk files, the box-servebench
# harness (the real chunk endpoint and HTTP server, JIT), CPU of a process.
. "$(dirname "${BASH_SOURCE[0]}")/broker.sh"
command -v wrk >/dev/null || die "wrk is not installed (scripts/bootstrap)"

build_servebench() {
  dotnet build "$BOX_ROOT/scripts/Box.ServeBench" -c Release -nologo -v:q -clp:NoSummary >"$bench_dir/build.log" 2>&1 \
    || die "box-servebench build failed: $(grep -E 'error' "$bench_dir/build.log" | head -5)"
  SB="$BOX_ROOT/scripts/Box.ServeBench/bin/Release/net10.0/box-servebench"
}

# make_chunk SIZE: a random file named by its SHA-256 in $chunks; echoes the hash.
make_chunk() {
  local tmp h
  tmp=$(mktemp "$chunks/.new.XXXXXX")
  head -c "$1" /dev/urandom >"$tmp"
  h=$(sha256sum "$tmp" | cut -d' ' -f1)
  mv "$tmp" "$chunks/$h"
  echo "$h"
}

# start_servebench PORT [RATE [PER_CONNECTION]]: sets sb_pid; tokens in $bench_dir/sb.out.
start_servebench() {
  mkfifo "$bench_dir/sb.in"
  "$SB" "$chunks" "$@" <"$bench_dir/sb.in" >"$bench_dir/sb.out" 2>"$bench_dir/sb.err" &
  sb_pid=$!; pids+=("$sb_pid")
  exec 7>"$bench_dir/sb.in" # holds stdin open; closing it stops the harness
  wait_line "$bench_dir/sb.out" 60 '^READY' || die "box-servebench did not start: $(cat "$bench_dir/sb.err")"
}

token_for() { sed -n "s/^TOKEN $1 //p" "$bench_dir/sb.out"; }

# CPU ticks (user+system, 1/100 s) a process used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
