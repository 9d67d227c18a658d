#!/usr/bin/env bash
# The celebrity workload at full size (issue 3; bench/README.md "Celebrity with 1M followers"):
# imports ACCOUNTS accounts (default 1,000,000) that all follow u0, with few posts so that it fits
# in memory where the full `large` dataset does not; starts Plaza (one io thread, core 0); reads
# each token's home timeline once; then u0 posts 5 times while wrk runs read-home (core 1) and
# plaza-load --celebrity polls SAMPLE followers (default 200), and once more with 1,000 sampled
# followers and no other load. Prints one JSON object: the import manifest, start-up time and
# RSS, and both probes (first_read_hit_ratio 1.0 = every sampled follower's first read after the
# acknowledgement already held the post).
# Usage: scripts/bench_celebrity.sh BUILD_DIR [ACCOUNTS] [SAMPLE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_arg=${1:?build dir}
[[ $build_arg == /* ]] || build_arg=$root/$build_arg
build=$(cd "$build_arg" && pwd)
accounts=${2:-1000000}
sample=${3:-200}
plaza=$build/src/app/plaza
datagen=$build/tools/plaza-datagen
loadgen=$build/tools/load/plaza-load
for bin in "$plaza" "$datagen" "$loadgen"; do
  [[ -x $bin ]] || { echo "celebrity: $bin is not built" >&2; exit 1; }
done
server_pin=() load_pin=()
if [[ $(nproc) -ge 2 ]]; then server_pin=(taskset -c 0) load_pin=(taskset -c 1); fi

work=$(mktemp -d /tmp/plaza-celebrity.XXXXXX)
server=""
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
source "$root/scripts/bench_lib.sh"
port=$(free_port)

"$datagen" --scale large --accounts "$accounts" --follows-mean 1 --posts 200000 --likes 0 \
  --tokens 2000 --seed 42 --data-dir "$work/data" --tokens-file "$work/tokens" \
  --targets-file "$work/targets" --manifest "$work/datagen.json" \
  --base-url "http://127.0.0.1:$port" --quiet > /dev/null

start_ns=$(date +%s%N)
"${server_pin[@]}" "$plaza" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --threads 1 \
  --no-rate-limit --log-level warn > "$work/plaza.log" 2>&1 &
server=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/instance"; do
  kill -0 "$server" 2>/dev/null || { echo "celebrity: plaza exited: $(cat "$work/plaza.log")" >&2; exit 1; }
  sleep 0.5
done
start_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
rss_start=$(rss_mb "$server")

"${load_pin[@]}" "$loadgen" --port "$port" --tokens "$work/tokens" --max-requests 2000 \
  --connections 32 --mix home=1 --sequential-tokens --rate 20000 --duration 120 > /dev/null
"${load_pin[@]}" wrk -t1 -c32 -d12s --timeout 10s -s "$root/bench/load/plaza.lua" \
  "http://127.0.0.1:$port" -- read-home "$work/tokens" - x x x > "$work/readers.txt" 2>&1 &
readers=$!
sleep 1
loaded=$("${load_pin[@]}" "$loadgen" --port "$port" --celebrity 5 --sample "$sample" --tokens "$work/tokens")
wait "$readers"
readers_json=$(sed -n 's/^WRKJSON //p' "$work/readers.txt")
quiet=$("${load_pin[@]}" "$loadgen" --port "$port" --celebrity 5 --sample 1000 --tokens "$work/tokens")
echo "{\"dataset\":$(cat "$work/datagen.json"),\"server_startup_ms\":$start_ms," \
  "\"server_rss_mb_start\":$rss_start,\"server_rss_mb_end\":$(rss_mb "$server")," \
  "\"under_read_load\":$loaded,\"readers\":${readers_json:-null},\"quiet\":$quiet}"
