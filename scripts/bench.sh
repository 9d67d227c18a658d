#!/usr/bin/env bash
# Runs the micro-benchmarks (Google Benchmark) with 3 repetitions each and prints the medians.
# Results go to bench/results/micro-<name>.json. The server is pinned to one core where possible.
set -euo pipefail
build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/bench/results"
pin=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then pin=(taskset -c 1); fi
for bench in timeline/timeline_bench storage/storage_bench safety/safety_bench; do
  bin="$root/$build_dir/bench/$bench"
  [[ -x "$bin" ]] || { echo "bench: $bin not built" >&2; exit 1; }
  name=$(basename "$bench")
  echo "== $name"
  "${pin[@]}" "$bin" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_out="$root/bench/results/micro-$name.json" --benchmark_out_format=json \
    2>&1 | grep -E "median|^-|Benchmark" || true
done
