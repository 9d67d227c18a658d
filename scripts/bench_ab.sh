#!/usr/bin/env bash
# Two Plaza binaries on the same workload, alternating round by round, for a change smaller than
# the suite's run-to-run spread (bench/README.md, "Comparing two builds"): a host slowdown then
# falls on both. Prints every round, then the medians and their ratio, and the median of each
# round's own B/A with the number of rounds in which B read higher.
#
#   scripts/bench_ab.sh flash PLAZA_A PLAZA_B [ROUNDS]   (default 4 rounds)
#     The suite's flash-sale shape: each round and binary gets a fresh campaign of 5,000 units
#     with 100,000 reservation holders, one attempt per holder over 64 connections
#     (`plaza-load --flash-sale`). Figures: attempts/s, and the server's CPU (all its threads,
#     utime + stime from /proc) per attempt over the burst.
#   scripts/bench_ab.sh home PLAZA_A PLAZA_B [ROUNDS]    (default 5 rounds)
#     Both servers up at once on copies of one small dataset (seed 42, 2,000 tokens), every
#     token's home read once, then 4 s `wrk` read-home rounds at 32 connections, alternating.
#     Figures: requests/s and the server's CPU per read (utime + stime from /proc).
#   scripts/bench_ab.sh home-cold PLAZA_A PLAZA_B [ROUNDS] (default 5 rounds)
#     As `home`, with all 10,000 tokens, after 30,000 posts (written by A before both start):
#     each home page then holds recent posts spread over many statuses, mostly not in the
#     processor's caches, as on the large dataset or any timeline after a burst of posts.
#   scripts/bench_ab.sh compose PLAZA_A PLAZA_B [ROUNDS] (default 5 rounds)
#     Set up as `home` (the suite runs compose after read-home, so followers' timelines are in
#     memory and each post fans out to them), then 4 s `wrk` compose rounds at 32 connections,
#     alternating. Figures: posts/s and the server's CPU per post.
#   scripts/bench_ab.sh compose-large PLAZA_A PLAZA_B [ROUNDS] (default 5 rounds)
#     As `compose` on the large dataset (seed 42) with the suite's 50,000 tokens: ~5 GB of disk
#     and ~15 GB of memory for the two servers, ~10 minutes before the first round.
#   scripts/bench_ab.sh home-large PLAZA_A PLAZA_B [ROUNDS] (default 5 rounds)
#     As `home` on the large dataset with its 50,000 tokens (the same needs as compose-large).
#
# B_SERVE_ARGS: extra `plaza serve` flags for B only, to compare a setting with one binary as
# both A and B (B_SERVE_ARGS="--celebrity-threshold 100000" scripts/bench_ab.sh home-large P P).
#
# Server on core 0, load on core 1, as in the suite. BUILD_DIR (default build) supplies
# plaza-datagen, plaza-datagen-flash-sale and plaza-load.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="bench_ab.sh flash|home|home-cold|home-large|compose|compose-large PLAZA_A PLAZA_B [ROUNDS]"
mode=${1:?usage: $usage}
bin_a=$(realpath "${2:?plaza binary A}")
bin_b=$(realpath "${3:?plaza binary B}")
build=$(cd "$root/${BUILD_DIR:-build}" && pwd)
loadgen=$build/tools/load/plaza-load
source "$root/scripts/bench_lib.sh"
bench_work plaza-ab
read -ra b_args <<< "${B_SERVE_ARGS:-}"

serve() {  # BINARY DATA_DIR PORT [FLAGS...]: starts a server on core 0; its pid is $served
  taskset -c 0 "$1" serve --listen "127.0.0.1:$3" --data-dir "$2" --threads 1 --no-rate-limit \
    --log-level warn "${@:4}" > "$2.log" 2>&1 &
  served=$!
  pids+=("$served")
  wait_http "http://127.0.0.1:$3/api/v1/instance" "${startup_s:-300}"
}

rate_and_cpu() {  # RATE_FIELD FORMAT: a with_cpu_per line on stdin -> "RATE CPU_US"
  python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print(sys.argv[2] % d[sys.argv[1]], "%.2f" % d["server_cpu_us_per_request"])' "$@"
}

medians() {  # LABELS FILE: LABELS comma-separated, FILE lines "a|b VALUE..." (one per label)
  python3 - "$@" <<'PY'
import statistics as st, sys
labels, path = sys.argv[1:3]
rows = {"a": [], "b": []}
for line in open(path):
    side, *values = line.split()
    rows[side].append([float(v) for v in values])
for i, name in enumerate(labels.split(",")):
    a = st.median(r[i] for r in rows["a"])
    b = st.median(r[i] for r in rows["b"])
    # Each round's B against that round's A: the host's speed drifts between rounds more than
    # within one, so the ratio of a round's pair is the steadier reading.
    paired = [rb[i] / ra[i] for ra, rb in zip(rows["a"], rows["b"])]
    higher = sum(x > 1 for x in paired)
    print(f"median {name}: A {a:,.2f}  B {b:,.2f}  B/A {b / a:.3f}  |  per round B/A: "
          f"median {st.median(paired):.3f}, higher in {higher} of {len(paired)}")
PY
}

case $mode in
flash)
  rounds=${4:-4}
  flash_round() {  # BINARY [FLAGS...]: one campaign, one burst; prints attempts/s
    local dir=$work/flash port campaign
    rm -rf "$dir"
    mkdir -p "$dir"
    port=$(free_port)
    "$build/tools/plaza-datagen-flash-sale" --accounts 100000 --units 5000 \
      --sale-starts-in-ms 3000 --data-dir "$dir/data" --tokens-file "$dir/tokens" \
      --manifest "$dir/m.json" --base-url "http://127.0.0.1:$port" --quiet > /dev/null
    campaign=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["campaign_id"])' \
      "$dir/m.json")
    serve "$1" "$dir/data" "$port" "${@:2}"
    c0=$(cpu_ticks "$served")
    taskset -c 1 "$loadgen" --port "$port" --flash-sale "$campaign" --tokens "$dir/tokens" \
      --connections 64 > "$dir/load.json"
    c1=$(cpu_ticks "$served")
    kill "$served"
    wait "$served" 2>/dev/null || true
    with_cpu_per "$(cat "$dir/load.json")" attempts $((c1 - c0)) |
      rate_and_cpu attempts_per_s "%.1f"
  }
  for i in $(seq "$rounds"); do
    read -r ra ca < <(flash_round "$bin_a")
    read -r rb cb < <(flash_round "$bin_b" "${b_args[@]}")
    echo "a $ra $ca" >> "$work/rows"
    echo "b $rb $cb" >> "$work/rows"
    echo "round $i: A $ra attempts/s, $ca us CPU an attempt | B $rb attempts/s, $cb us CPU an attempt"
  done
  medians "attempts/s,us CPU an attempt" "$work/rows"
  ;;
home | home-cold | home-large | compose | compose-large)
  rounds=${4:-5}
  port=$(free_port)
  scale=small ntokens=2000 startup_s=300
  [[ $mode == home-cold ]] && ntokens=10000
  [[ $mode == *-large ]] && scale=large ntokens=50000 startup_s=1200
  "$build/tools/plaza-datagen" --scale "$scale" --seed 42 --data-dir "$work/data" \
    --tokens-file "$work/all-tokens" --manifest "$work/datagen.json" \
    --base-url "http://127.0.0.1:$port" --quiet > /dev/null
  head -n "$ntokens" "$work/all-tokens" > "$work/tokens"
  touch "$work/targets"
  if [[ $mode == home-cold ]]; then
    serve "$bin_a" "$work/data" "$port"
    taskset -c 1 "$loadgen" --port "$port" --rate 8000 --duration 600 --max-requests 30000 \
      --connections 32 --mix compose=1 --tokens "$work/tokens" --targets "$work/targets" > /dev/null
    kill "$served"
    wait "$served" 2>/dev/null || true
  fi
  cp -r "$work/data" "$work/data-b"
  port_a=$(free_port)
  serve "$bin_a" "$work/data" "$port_a"
  pid_a=$served
  port_b=$(free_port)
  serve "$bin_b" "$work/data-b" "$port_b" "${b_args[@]}"
  pid_b=$served
  for p in "$port_a" "$port_b"; do  # every token's timeline built before measuring
    taskset -c 1 "$loadgen" --port "$p" --rate 20000 --duration 600 --max-requests "$ntokens" \
      --connections 32 --mix home=1 --sequential-tokens --tokens "$work/tokens" \
      --targets "$work/targets" > /dev/null
  done
  workload=read-home unit=read
  [[ $mode == compose || $mode == compose-large ]] && workload=compose unit=post
  home_round() {  # PORT PID: prints "rps cpu_us_per_request"
    local c0 c1 out
    c0=$(cpu_ticks "$2")
    out=$(taskset -c 1 wrk -t1 -c32 -d4s --timeout 10s -s "$root/bench/load/plaza.lua" \
      "http://127.0.0.1:$1" -- "$workload" "$work/tokens" "$work/targets" x x x |
      sed -n 's/^WRKJSON //p')
    c1=$(cpu_ticks "$2")
    with_cpu_per "$out" requests $((c1 - c0)) | rate_and_cpu rps "%.0f"
  }
  for i in $(seq "$rounds"); do
    read -r ra ca < <(home_round "$port_a" "$pid_a")
    read -r rb cb < <(home_round "$port_b" "$pid_b")
    echo "a $ra $ca" >> "$work/rows"
    echo "b $rb $cb" >> "$work/rows"
    echo "round $i: A $ra rps, $ca us CPU a $unit | B $rb rps, $cb us CPU a $unit"
  done
  medians "rps,us CPU a $unit" "$work/rows"
  ;;
*)
  echo "usage: $usage" >&2
  exit 2
  ;;
esac
