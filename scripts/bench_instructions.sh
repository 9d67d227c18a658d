#!/usr/bin/env bash
# Instructions and simulated cache misses per home-timeline read, for Plaza and the ceiling
# server, and per post, counted by callgrind: figures that do not move with the host's CPU
# stalls, so two builds can be compared on this shared machine where requests/s cannot tell 10%
# apart.
#
#   scripts/bench_instructions.sh BUILD_DIR [READS] [POSTS]      (make bench-instructions)
#
# A `small` dataset is generated; Plaza starts under callgrind with instrumentation off, every
# token's home is read once (timelines built), then instrumentation is switched on for READS more
# reads (default 2,000; the same tokens, in file order) and off again. The ceiling serves the
# captured home response and is counted the same way. Then a second Plaza on a fresh copy of the
# dataset: every token's home read once (so posts fan out to the timelines in memory, as in the
# suite's compose), POSTS posts (default 2,000) from the tokens in turn uncounted, then POSTS more
# counted. Every thread of each process counts (the committers and the fan-out worker too). The
# result goes to $BENCH_OUT/instructions.json (default bench/results/). User-space instructions
# only: the kernel's share of a request (most of the ceiling's) is not in these figures, so their
# ratio is not the headline ratio of `make bench`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$root" && cd "${1:?usage: bench_instructions.sh BUILD_DIR [READS] [POSTS]}" && pwd)
reads=${2:-2000}
posts=${3:-2000}
out=${BENCH_OUT:-$root/bench/results}
mkdir -p "$out"
for tool in valgrind callgrind_control curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (scripts/setup.sh valgrind)" >&2; exit 1; }
done
plaza=$build/src/app/plaza
datagen=$build/tools/plaza-datagen
loadgen=$build/tools/load/plaza-load
ceiling=$build/bench/reference/ceiling_server

source "$root/scripts/bench_lib.sh"
bench_work plaza-instr

port=$(free_port)
"$datagen" --scale small --seed 42 --data-dir "$work/data" --tokens-file "$work/all-tokens" \
  --manifest "$work/datagen.json" --base-url "http://127.0.0.1:$port" --quiet > /dev/null
head -n "$reads" "$work/all-tokens" > "$work/tokens"
cp -r "$work/data" "$work/compose-data"  # before any server writes to it

reads_of() {  # PORT: one home read per token, in file order
  "$loadgen" --port "$1" --tokens "$work/tokens" --max-requests "$reads" --connections 8 \
    --mix home=1 --sequential-tokens --rate 2000 --duration 600 > /dev/null
}
# launch NAME PORT COMMAND...: starts COMMAND under callgrind with instrumentation off and waits
# for it to answer; its pid is $counted.
launch() {
  local name=$1 port=$2
  shift 2
  # PLAZA_HUGEPAGES=0: the server would re-execute itself, which callgrind follows as a new run.
  PLAZA_HUGEPAGES=0 valgrind --tool=callgrind --instr-atstart=no --cache-sim=yes \
    --callgrind-out-file="$work/$name.callgrind" "$@" > "$work/$name.log" 2>&1 &
  counted=$!
  pids+=("$counted")
  wait_http "http://127.0.0.1:$port/api/v1/instance" 900
}
# count_during WORK PORT: runs WORK PORT with the server's instrumentation on.
count_during() {
  callgrind_control -i on "$counted" > /dev/null 2>&1
  "$1" "$2"
  callgrind_control -i off "$counted" > /dev/null 2>&1
}
# stop_counted: stops the server (callgrind writes its counts as it exits).
stop_counted() {
  kill "$counted"
  wait "$counted" 2>/dev/null || true
}
# measure PORT: every token's home once with instrumentation off (timelines built), then READS
# reads counted; stops the server.
measure() {
  reads_of "$1"
  count_during reads_of "$1"
  stop_counted
}
launch plaza "$port" "$plaza" serve --listen "127.0.0.1:$port" --data-dir "$work/data" \
  --threads 1 --no-rate-limit --log-level warn
# The bytes the ceiling serves: the first token's home page (read before counting starts).
token=$(head -n 1 "$work/tokens" | cut -d' ' -f1)
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/timelines/home?limit=20" \
  -o "$work/home.json"
measure "$port"
cport=$(free_port)
launch ceiling "$cport" "$ceiling" "$cport" "$work/home.json"
measure "$cport"

posts_of() {  # PORT: POSTS posts, one a token in file order
  "$loadgen" --port "$1" --tokens "$work/tokens" --targets "$work/targets" --max-requests "$posts" \
    --connections 8 --mix compose=1 --sequential-tokens --rate 2000 --duration 600 > /dev/null
}
enqueued() {  # PORT: posts the fan-out queue has taken since start
  curl -s "http://127.0.0.1:$1/api/plaza/v1/fanout" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["enqueued"])'
}
touch "$work/targets"
pport=$(free_port)
launch compose "$pport" "$plaza" serve --listen "127.0.0.1:$pport" --data-dir "$work/compose-data" \
  --threads 1 --no-rate-limit --log-level warn
reads_of "$pport"
posts_of "$pport"
before=$(enqueued "$pport")
count_during posts_of "$pport"
counted_posts=$(( $(enqueued "$pport") - before ))
stop_counted

python3 - "$work" "$reads" "$out/instructions.json" "$counted_posts" <<'EOF'
import json, sys
work, reads, dest, posts = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def per_read(name, reads=reads):
    events = totals = None
    for line in open(f"{work}/{name}.callgrind"):
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith(("totals:", "summary:")):
            totals = [int(x) for x in line.split()[1:]]
    t = dict(zip(events, totals))
    return {
        "instructions_per_read": round(t["Ir"] / reads),
        "d1_misses_per_read": round((t["D1mr"] + t["D1mw"]) / reads, 1),
        "ll_misses_per_read": round((t["DLmr"] + t["DLmw"]) / reads, 1),
    }
plaza, ceiling = per_read("plaza"), per_read("ceiling")
compose = {k.replace("_read", "_post"): v for k, v in per_read("compose", posts).items()}
result = {
    "reads": reads,
    "dataset": "small, seed 42",
    "plaza": plaza,
    "ceiling": ceiling,
    "plaza_vs_ceiling_instructions": round(plaza["instructions_per_read"] / ceiling["instructions_per_read"], 2),
    "posts": posts,
    "compose": compose,
}
json.dump(result, open(dest, "w"), indent=2)
print(json.dumps(result))
EOF
