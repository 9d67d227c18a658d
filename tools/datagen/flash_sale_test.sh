#!/usr/bin/env bash
# ctest flash_sale_bench: the flash-sale workload end to end at tiny scale, so its path cannot
# rot: plaza-datagen-flash-sale imports 300 accounts with tokens and reservations and a campaign
# of 20 units, plaza serves it, plaza-load sends one attempt per buyer, and the checks of
# scripts/bench_flash_sale.sh (API and check-ledger on the stopped server's data) must all hold:
# exactly 20 units sold to 20 distinct buyers, 279 sold-out answers, paid orders, ledger balanced;
# and the ceiling run of the same attempts must have answered them all.
# Usage: flash_sale_test.sh SOURCE_DIR PLAZA_DATAGEN_FLASH_SALE PLAZA_LOAD PLAZA CEILING_SERVER
set -euo pipefail
src=$1
export FLASH_DATAGEN=$2 FLASH_LOAD=$3 PLAZA_BIN=$4 FLASH_CEILING=$5 FLASH_START_IN_MS=1500
export FLASH_CONNECTIONS=8
out=$(bash "$src/scripts/bench_flash_sale.sh" "$src" 300 20)
echo "$out"
python3 - "$out" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
want = {"units_offered": 20, "units_sold": 20, "orders": 20, "distinct_buyers": 20, "wins": 20,
        "sold_out_answers": 279, "other_answers": 0, "ledger_orders": 20, "paid_orders": 20,
        "ledger_balanced": True, "verified": True, "attempts": 299, "remaining": 0}
bad = {k: (r.get(k), v) for k, v in want.items() if r.get(k) != v}
if bad:
    sys.exit("FAIL: (got, want) " + json.dumps(bad))
for k in ("attempts_per_s", "time_to_sell_out_ms", "p50_ms", "p99_ms", "ceiling_attempts_per_s",
          "vs_ceiling"):
    if not isinstance(r.get(k), (int, float)) or r[k] <= 0:
        sys.exit(f"FAIL: {k} = {r.get(k)}")
print("flash sale verified")
PY
