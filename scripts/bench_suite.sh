#!/usr/bin/env bash
# The benchmark suite (bench/README.md): generates a dataset, imports it, runs Plaza's workloads
# and the reference servers (ceiling, nginx, Redis) in the same run, and writes
# bench/results/latest.json and latest.md.
#
# Usage: scripts/bench_suite.sh BUILD_DIR SCALE     (SCALE: small | medium | large)
# Environment: BENCH_DURATION (seconds per measurement, default 5), BENCH_CONNECTIONS (default
# 32), BENCH_SEED (default 42), BENCH_OUT (results directory, default bench/results),
# BENCH_FLASH ("ACCOUNTS UNITS" of the flash sale; default "100000 5000" at small scale,
# "1300000 50000" otherwise).
#
# Pinning: with two or more cores, every server (Plaza, ceiling, nginx, Redis) runs on core 0 and
# every load generator (wrk, plaza-load, redis-benchmark) on core 1. Everything listens on
# 127.0.0.1 ports chosen here; nginx and Redis run from a temporary directory and are stopped at
# the end (never as system services).
set -euo pipefail
build_dir=${1:-build}
scale=${2:-small}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$root/$build_dir" && pwd)
out=${BENCH_OUT:-$root/bench/results}
dur=${BENCH_DURATION:-5}
conns=${BENCH_CONNECTIONS:-32}
seed=${BENCH_SEED:-42}
mkdir -p "$out"

plaza=${PLAZA_BIN:-$build/src/app/plaza}
datagen=$build/tools/plaza-datagen
loadgen=$build/tools/load/plaza-load
ceiling=$build/bench/reference/ceiling_server
probe=$build/bench/reference/cpu_probe
lua=$root/bench/load/plaza.lua
for bin in "$plaza" "$datagen" "$loadgen" "$ceiling" "$probe"; do
  [[ -x $bin ]] || { echo "bench: $bin is not built" >&2; exit 1; }
done
for tool in wrk nginx redis-server redis-benchmark redis-cli curl python3 taskset; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (run scripts/setup.sh)" >&2; exit 1; }
done

source "$root/scripts/bench_lib.sh"
bench_work plaza-bench

server_pin=() load_pin=() pinning="none"
if [[ $(nproc) -ge 2 ]]; then
  server_pin=(taskset -c 0) load_pin=(taskset -c 1) pinning="server core 0, load core 1"
fi

results=$work/results.jsonl
: > "$results"
record() {  # NAME KIND JSON...
  printf '{"name":"%s","kind":"%s",%s}\n' "$1" "$2" "$3" >> "$results"
}
# The dataset the Plaza workloads draw tokens and profiles from (the compose-fanout-100 workload
# switches to its own).
tokens=$work/tokens targets=$work/targets
wrk_run() {  # URL WORKLOAD CONNECTIONS DURATION -> WRKJSON line
  "${load_pin[@]}" wrk -t1 -c"$3" -d"$4"s --timeout 10s -s "$lua" "$1" -- "$2" "$tokens" \
    "$targets" "$client_id" "$client_secret" "$password" | sed -n 's/^WRKJSON //p'
}
# A closed-loop run that also records its server's CPU (all threads) per request: what a request
# costs the server, whether or not the load generator's core kept it busy (the ceiling's often
# does not), and comparable between runs on a host whose speed changes from one minute to the next.
with_cpu() {  # PID URL WORKLOAD [CONNECTIONS] -> the WRKJSON line with "server_cpu_us_per_request"
  local c0 c1 round
  c0=$(cpu_ticks "$1")
  round=$(wrk_run "$2" "$3" "${4:-$conns}" "$dur")
  c1=$(cpu_ticks "$1")
  with_cpu_per "$round" requests $((c1 - c0))
}
open_run() {  # PORT RATE ARGS... -> JSON line
  local port=$1 rate=$2
  shift 2
  "${load_pin[@]}" "$loadgen" --port "$port" --rate "$rate" --duration "$dur" \
    --connections "$conns" "$@"
}
rate_of() { python3 -c 'import json,sys; print(max(1, int(json.loads(sys.argv[1])["rps"] * 0.8)))' "$1"; }

echo "bench: scale $scale, ${dur}s per measurement, $conns connections, pinning: $pinning"
echo "bench: work dir $work"

# 0. What the machine gives: a busy probe on each core at once (both cores are busy in every
# measurement), before and after the workloads. On a shared VM a core can be stopped for
# hundreds of milliseconds; the report shows it next to the figures it bounds.
cpu_probe_both() {  # OUT_FILE: both cores at once
  "${server_pin[@]}" "$probe" --seconds 2 > "$1.0" &
  local p=$!
  "${load_pin[@]}" "$probe" --seconds 2 > "$1.1"
  wait "$p"
  echo "[$(cat "$1.0"),$(cat "$1.1")]" > "$1"
}
cpu_probe_both "$work/cpu-before.json"
echo "bench: cpu probe before (server core, load core): $(cat "$work/cpu-before.json")"

# 1. Dataset, imported straight into a new data directory.
port=$(free_port)
"$datagen" --scale "$scale" --seed "$seed" --data-dir "$work/data" --tokens-file "$work/tokens" \
  --targets-file "$work/targets" --manifest "$work/datagen.json" \
  --base-url "http://127.0.0.1:$port" --quiet > /dev/null
cat "$work/datagen.json"
read -r client_id client_secret password < <(python3 -c '
import json,sys; m=json.load(open(sys.argv[1])); print(m["client_id"], m["client_secret"], m["password"])' \
  "$work/datagen.json")

# 2. Plaza, one io thread, pinned.
start_plaza() {  # DATA_DIR PORT LOG -> $plaza_pid, $start_ms
  local start_ns
  start_ns=$(date +%s%N)
  "${server_pin[@]}" "$plaza" serve --listen "127.0.0.1:$2" --data-dir "$1" --threads 1 \
    --no-rate-limit --log-level warn > "$3" 2>&1 &
  plaza_pid=$!
  pids+=("$plaza_pid")
  # Start-up rebuilds the in-memory model from storage: minutes at medium and large scale.
  wait_http "http://127.0.0.1:$2/api/v1/instance" 1800
  start_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
}
start_plaza "$work/data" "$port" "$work/plaza.log"
plaza_start_ms=$start_ms
echo "bench: plaza up in ${start_ms} ms, RSS $(rss_mb $plaza_pid) MB"
token=$(sed -n 2p "$work/tokens" | cut -d' ' -f1)
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/timelines/home?limit=20" \
  -o "$work/home.json"
home_bytes=$(stat -c %s "$work/home.json")
echo "bench: captured home timeline response, $home_bytes bytes"
url="http://127.0.0.1:$port"

# 3. Plaza workloads: closed-loop peak (wrk), then open-loop at 80% of that peak (plaza-load).
plaza_workload() {  # NAME WRK_WORKLOAD LOAD_MIX [CONNECTIONS] [,"KEY":JSON recorded with it]
  local name=$1 c=${4:-$conns}
  local peak open
  peak=$(with_cpu "$plaza_pid" "$url" "$2" "$c")
  open=$(open_run "$port" "$(rate_of "$peak")" --mix "$3" --tokens "$tokens" \
    --targets "$targets" --client-id "$client_id" --client-secret "$client_secret" \
    --password "$password")
  # Writers: the home fan-out queue right after the load (GET /api/plaza/v1/fanout): queued
  # posts, age of the oldest, and the longest any post has waited since start.
  local fanout=""
  [[ $3 == compose=1 ]] && fanout=",\"fanout\":$(curl -s "$url/api/plaza/v1/fanout")"
  record "$name" plaza "\"peak\":$peak,\"open_loop\":$open,\"server_rss_mb\":$(rss_mb $plaza_pid)$fanout${5:-}"
  echo "bench: $name peak $peak"
  echo "bench: $name open-loop $open${fanout:+ fan-out${fanout#,\"fanout\":}}"
}
# Warm-up: one home read per token, in file order, so read-home measures the steady state of
# active readers (timelines in memory) like the ceiling does. These first reads each build a
# timeline from the graph; they are reported as read-home-first (completed reads/s and latency
# from the intended send time at a rate above what the server sustains).
first_reads() {  # -> plaza-load's JSON line
  "${load_pin[@]}" "$loadgen" --port "$port" --rate 20000 --duration 600 \
    --max-requests "$(wc -l < "$tokens")" --connections "$conns" --mix home=1 --sequential-tokens \
    --tokens "$tokens" --targets "$targets"
}
first=$(first_reads)
record read-home-first plaza "\"first_reads\":$first,\"server_rss_mb\":$(rss_mb $plaza_pid)"
echo "bench: read-home-first $first"
plaza_workload read-home read-home home=1

# The headline ratio, measured interleaved: the ceiling (serving the captured home-timeline
# bytes) and Plaza's read-home alternate, 3 closed-loop rounds each, both servers up on core 0 and
# one loaded at a time, so noise from other work on the machine falls on both alike. The ratio
# of the medians is home_timeline_vs_ceiling.
cport=$(free_port)
"${server_pin[@]}" "$ceiling" "$cport" "$work/home.json" &
ceiling_pid=$!
pids+=("$ceiling_pid")
wait_http "http://127.0.0.1:$cport/"
rounds_c=() rounds_p=()
for _ in 1 2 3; do
  rounds_c+=("$(with_cpu "$ceiling_pid" "http://127.0.0.1:$cport" get:/api/v1/timelines/home)")
  rounds_p+=("$(with_cpu "$plaza_pid" "$url" read-home)")
done
kill "$ceiling_pid"
wait "$ceiling_pid" 2>/dev/null || true
join() { local IFS=,; echo "$*"; }
record read-home-interleaved plaza "\"ceiling_rounds\":[$(join "${rounds_c[@]}")],\"plaza_rounds\":[$(join "${rounds_p[@]}")],\"server_rss_mb\":$(rss_mb $plaza_pid)"
fields() {  # KEY JSON... -> each JSON's KEY, space-separated
  local key=$1 r
  shift
  for r in "$@"; do
    python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]], end=" ")' "$r" "$key"
  done
}
echo "bench: interleaved rps ceiling $(fields rps "${rounds_c[@]}")/ plaza $(fields rps "${rounds_p[@]}")"
echo "bench: interleaved server CPU a request (µs) ceiling $(fields server_cpu_us_per_request \
  "${rounds_c[@]}")/ plaza $(fields server_cpu_us_per_request "${rounds_p[@]}")"
plaza_workload mixed mixed home=60,account=30,compose=10
plaza_workload compose compose compose=1
plaza_workload follow-churn follow-churn follow=1

# Celebrity: account u0 (followed by every account) posts while followers read their homes.
wrk_run "$url" read-home "$conns" $((dur + 4)) > "$work/celebrity-readers.json" &
readers=$!
sleep 1
celeb=$("${load_pin[@]}" "$loadgen" --port "$port" --celebrity 5 --sample 50 --tokens "$work/tokens")
wait "$readers"
record celebrity plaza "\"probe\":$celeb,\"readers\":$(cat "$work/celebrity-readers.json"),\"server_rss_mb\":$(rss_mb $plaza_pid)"
echo "bench: celebrity $celeb"

# Sign-in: argon2id (m=19 MiB, t=2) per request; few connections, it is CPU-bound by design.
plaza_workload sign-in sign-in signin=1 4 || true
plaza_rss=$(rss_mb $plaza_pid)
kill "$plaza_pid"
wait "$plaza_pid" 2>/dev/null || true

# Compose at the goal's fan-out (issue 3: "fan-out to an average of 100 followers"). The dataset
# above has a mean of ~50 followers an account, and at medium and large only the timelines of
# accounts that read are in memory and written, so its compose delivers ~50 (small) or ~2.6
# (large) insertions a post. Here: the small shape with a mean out-degree of 100, every account
# holding a token and reading its home first, so each post is delivered to all its followers,
# ~100 on average. The same at every scale; the report prints its insertions a post.
"$datagen" --scale small --follows-mean 100 --seed "$seed" --data-dir "$work/data100" \
  --tokens-file "$work/tokens100" --targets-file "$work/targets100" \
  --manifest "$work/datagen100.json" --base-url "http://127.0.0.1:$port" --quiet > /dev/null
tokens=$work/tokens100 targets=$work/targets100
start_plaza "$work/data100" "$port" "$work/plaza100.log"
echo "bench: plaza on the fan-out-100 dataset up in ${start_ms} ms: $(cat "$work/datagen100.json")"
echo "bench: fan-out-100 first reads $(first_reads)"
# The main compose runs on a server that has been posting already (mixed); this one starts fresh,
# so a first round of posts, kept as warm_up, comes before the measured ones.
warm=$(with_cpu "$plaza_pid" "$url" compose)
echo "bench: compose-fanout-100 warm-up $warm"
plaza_workload compose-fanout-100 compose compose=1 "$conns" \
  ",\"dataset\":$(cat "$work/datagen100.json"),\"warm_up\":$warm"
kill "$plaza_pid"
wait "$plaza_pid" 2>/dev/null || true
tokens=$work/tokens targets=$work/targets

# 4. Reference servers, pinned the same way, serving the captured bytes.
reference_http() {  # NAME PORT PATH
  local peak open
  peak=$(wrk_run "http://127.0.0.1:$2" "get:$3" "$conns" "$dur")
  open=$(open_run "$2" "$(rate_of "$peak")" --path "$3")
  record "$1" reference "\"peak\":$peak,\"open_loop\":$open,\"server_rss_mb\":$(rss_mb "$4")"
  echo "bench: $1 peak $peak"
}
cport=$(free_port)
"${server_pin[@]}" "$ceiling" "$cport" "$work/home.json" &
ceiling_pid=$!
pids+=("$ceiling_pid")
wait_http "http://127.0.0.1:$cport/"
reference_http ceiling "$cport" /api/v1/timelines/home "$ceiling_pid"
kill "$ceiling_pid"

nport=$(free_port)
mkdir -p "$work/nginx/html" "$work/nginx/logs"
cp "$work/home.json" "$work/nginx/html/home.json"
user_line=""
[[ $(id -u) -eq 0 ]] && user_line="user root;"
cat > "$work/nginx/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/tmp-body;
  proxy_temp_path $work/nginx/tmp-proxy;
  fastcgi_temp_path $work/nginx/tmp-fastcgi;
  uwsgi_temp_path $work/nginx/tmp-uwsgi;
  scgi_temp_path $work/nginx/tmp-scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/nginx/html;
  }
}
EOF
"${server_pin[@]}" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
pids+=("$nginx_pid")
wait_http "http://127.0.0.1:$nport/home.json"
reference_http nginx "$nport" /home.json "$nginx_pid"
kill "$nginx_pid"

# Redis: the timeline shape (20 entries of one status each) as a list.
rport=$(free_port)
mkdir -p "$work/redis"
"${server_pin[@]}" redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$work/redis" --daemonize no > "$work/redis/log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
entry_bytes=$(( home_bytes / 20 ))
entry=$(head -c "$entry_bytes" /dev/zero | tr '\0' 'x')
for _ in $(seq 1 800); do echo "RPUSH home:1 $entry"; done | redis-cli -p "$rport" > /dev/null
redis_n=$(( dur * 10000 ))
"${load_pin[@]}" redis-benchmark -p "$rport" -c 50 -n "$redis_n" -r 100000 --csv \
  LPUSH "home:__rand_int__" "$entry" | tail -n 1 > "$work/redis-lpush.csv"
"${load_pin[@]}" redis-benchmark -p "$rport" -c 50 -n "$redis_n" --csv LRANGE home:1 0 19 \
  | tail -n 1 > "$work/redis-lrange.csv"
redis_rss=$(rss_mb "$redis_pid")
for op in lpush lrange; do
  record "redis-$op" reference "$(python3 -c '
import csv,sys
row=next(csv.reader(open(sys.argv[1])))
print("\"rps\":%s,\"p50_ms\":%s,\"p99_ms\":%s,\"p999_ms\":null,\"errors\":0,\"clients\":50,\"entry_bytes\":%s,\"server_rss_mb\":%s" % (row[1], row[4], row[6], sys.argv[2], sys.argv[3]))' \
    "$work/redis-$op.csv" "$entry_bytes" "$redis_rss")"
  echo "bench: redis $op $(cut -d, -f2- "$work/redis-$op.csv")"
done
kill "$redis_pid"

# Flash sale (scripts/bench_flash_sale.sh): its own dataset and server; the Xiaomi shape.
case $scale in
  small) flash_default="100000 5000" ;;
  *) flash_default="1300000 50000" ;;
esac
read -r flash_accounts flash_units <<< "${BENCH_FLASH:-$flash_default}"
flash=$(bash "$root/scripts/bench_flash_sale.sh" "$build" "$flash_accounts" "$flash_units")
record flash-sale plaza "\"flash_sale\":$flash"
echo "bench: flash-sale $flash"

cpu_probe_both "$work/cpu-after.json"
echo "bench: cpu probe after (server core, load core): $(cat "$work/cpu-after.json")"

# 5. Report.
python3 "$root/scripts/bench_report.py" --results "$results" --datagen "$work/datagen.json" \
  --cpu-before "$work/cpu-before.json" --cpu-after "$work/cpu-after.json" \
  --scale "$scale" --pinning "$pinning" --duration "$dur" --connections "$conns" \
  --start-ms "$plaza_start_ms" --home-bytes "$home_bytes" --plaza-rss "$plaza_rss" --out "$out"
