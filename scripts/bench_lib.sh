# Helpers shared by the benchmark scripts (sourced, not run).
#   bench_work PREFIX   makes $work (a temporary directory) and, at exit, kills every pid in
#                       $pids, waits for them and removes $work
#   free_port           a free 127.0.0.1 TCP port
#   wait_http URL [S]   waits up to S seconds (default 60) for URL to answer
#   rss_mb PID          the process's resident memory in MB (0 once it has gone)
#   cpu_ticks PID       the process's CPU time (utime + stime, all threads), in clock ticks

bench_work() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
  for _ in $(seq 1 $(( ${2:-60} * 10 ))); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up" >&2
  return 1
}
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
