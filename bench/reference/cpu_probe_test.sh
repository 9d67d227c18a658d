#!/usr/bin/env bash
# ctest cpu_probe: the probe reports a sane JSON object, rejects bad arguments, and sees the
# stalls of a core it shares: two probes pinned to one core each get about half of it.
# Usage: cpu_probe_test.sh CPU_PROBE
set -euo pipefail
probe=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

alone=$("$probe" --seconds 0.3)
python3 - "$alone" <<'PY' || fail "bad report: $alone"
import json, sys
r = json.loads(sys.argv[1])
assert r["seconds"] >= 0.3, r
assert 0.0 < r["available"] <= 1.0, r
assert r["stalls"] >= 0 and r["stalled_ms"] >= 0 and r["stall_max_ms"] >= r["stall_median_ms"], r
assert r["stall_threshold_ms"] == 1.0, r
PY

for bad in "--seconds 0" "--seconds x" "--stall-us 0" "--bogus 1" "--seconds"; do
  if "$probe" $bad > /dev/null 2>&1; then fail "accepted: $bad"; fi
done

# Sharing one core with another busy probe: the scheduler hands the core back and forth in
# slices of milliseconds, so each probe sees stalls and gets well under all of the core.
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
taskset -c 0 "$probe" --seconds 1 --stall-us 500 > "$a" &
taskset -c 0 "$probe" --seconds 1 --stall-us 500 > "$b"
wait
for f in "$a" "$b"; do
  r=$(cat "$f")
  [[ $(field "$r" stalls) -gt 0 ]] || fail "no stalls seen on a shared core: $r"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["available"] < 0.8 else 1)' "$r" \
    || fail "a shared core looked free: $r"
done
echo "alone: $alone"
echo "shared: $(cat "$a")"
