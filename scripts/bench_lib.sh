# Helpers shared by the benchmark scripts (sourced, not run).
#   bench_work PREFIX   makes $work (a temporary directory) and, at exit, kills every pid in
#                       $pids, waits for them and removes $work
#   free_port           a free 127.0.0.1 TCP port
#   wait_http URL [S]   waits up to S seconds (default 60) for URL to answer
#   rss_mb PID          the process's resident memory in MB (0 once it has gone)
#   cpu_ticks PID       the process's CPU time (utime + stime, all threads), in clock ticks
#   with_cpu_per JSON FIELD TICKS
#                       JSON (a load generator's one-line result) with "server_cpu_us_per_request":
#                       TICKS of server CPU in µs over the count JSON holds in FIELD ("requests",
#                       "attempts"); null when either is 0

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
with_cpu_per() {
  python3 -c '
import json, os, sys
d = json.loads(sys.argv[1])
count, ticks = d[sys.argv[2]], int(sys.argv[3])
us = ticks * 1e6 / os.sysconf("SC_CLK_TCK") / count if count and ticks else None
d["server_cpu_us_per_request"] = round(us, 2) if us else None
print(json.dumps(d, separators=(",", ":")))' "$@"
}
