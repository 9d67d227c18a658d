#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each; exits non-zero if any target crashes.
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS   (BUILD_DIR as built by `make fuzz-build`)
# Each target's corpus lives in BUILD_DIR/fuzz-corpus/<target>, seeded from
# tests/fuzz/corpus/<target>/; crash inputs land in BUILD_DIR/fuzz-artifacts/<target>/.
set -uo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
SECONDS_EACH=$2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGETS=(fuzz_http_request fuzz_body_decode fuzz_status_text)

failed=()
for target in "${TARGETS[@]}"; do
  bin="$BUILD_DIR/tests/fuzz/$target"
  if [[ ! -x "$bin" ]]; then
    echo "fuzz: $bin not built (run make fuzz-build)" >&2
    exit 2
  fi
  corpus="$BUILD_DIR/fuzz-corpus/$target"
  artifacts="$BUILD_DIR/fuzz-artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  if [[ -d "$ROOT/tests/fuzz/corpus/$target" ]]; then
    cp -n "$ROOT/tests/fuzz/corpus/$target/"* "$corpus/" 2>/dev/null || true
  fi
  args=(-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  if [[ -f "$ROOT/tests/fuzz/$target.dict" ]]; then
    args+=(-dict="$ROOT/tests/fuzz/$target.dict")
  fi
  echo "fuzz: $target for ${SECONDS_EACH}s"
  if ! "$bin" "${args[@]}" "$corpus" > "$BUILD_DIR/fuzz-$target.log" 2>&1; then
    echo "fuzz: $target FAILED; log: $BUILD_DIR/fuzz-$target.log; inputs in $artifacts" >&2
    tail -n 40 "$BUILD_DIR/fuzz-$target.log" >&2
    failed+=("$target")
  else
    grep -E "stat::number_of_executed_units|Done" "$BUILD_DIR/fuzz-$target.log" | tail -n 2
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crashes"
