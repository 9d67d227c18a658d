#!/usr/bin/env bash
# The flash-sale workload (issue 5, the Xiaomi scenario; bench/README.md "Flash sale"): imports
# ACCOUNTS accounts that all hold a reservation and a token, and a campaign of UNITS units whose
# sale opens a few seconds after the import; starts Plaza (one io thread, pinned like the rest of
# the suite); sends one purchase attempt per account, each with its own token (plaza-load
# --flash-sale); pays a few winning orders through the sandbox provider; then verifies through
# the API (campaign sold/remaining, merchant stats: orders, units sold, distinct reservation
# holders who bought) and, on the stopped server's data directory, with
# `plaza commerce check-ledger`. Then measures the ceiling for the same shape: the same attempts,
# tokens, connections and pinning against bench/reference/ceiling_server, which parses each
# request as Plaza does and answers it with fixed bytes. Prints one JSON object (the `flash_sale`
# entry of latest.json); `vs_ceiling` is Plaza's attempts/s over the ceiling's.
#
# Usage: scripts/bench_flash_sale.sh BUILD_DIR ACCOUNTS UNITS [WORK_DIR]   (BUILD_DIR absolute or
# relative to the repository)
# Environment: FLASH_CONNECTIONS (default 64), FLASH_START_IN_MS (sale start after the import;
# default 3000 + ACCOUNTS/50 ms, about the server's start-up time; if the server comes up later
# the burst starts as soon as it is up), PLAZA_BIN, FLASH_DATAGEN, FLASH_LOAD, FLASH_CEILING
# (binaries other than those in BUILD_DIR).
# Per-IP limits: the server runs with --no-rate-limit and the campaign has no per-IP attempt
# limit, because every attempt comes from 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_arg=${1:?build dir}
[[ $build_arg == /* ]] || build_arg=$root/$build_arg
build=$(cd "$build_arg" && pwd)
accounts=${2:?accounts}
units=${3:?units}
work=${4:-}
conns=${FLASH_CONNECTIONS:-64}
start_in=${FLASH_START_IN_MS:-$(( 3000 + accounts / 50 ))}
plaza=${PLAZA_BIN:-$build/src/app/plaza}
datagen=${FLASH_DATAGEN:-$build/tools/plaza-datagen-flash-sale}
loadgen=${FLASH_LOAD:-$build/tools/load/plaza-load}
ceiling=${FLASH_CEILING:-$build/bench/reference/ceiling_server}
for bin in "$plaza" "$datagen" "$loadgen" "$ceiling"; do
  [[ -x $bin ]] || { echo "flash-sale: $bin is not built" >&2; exit 1; }
done
own_work=0
if [[ -z $work ]]; then
  work=$(mktemp -d /tmp/plaza-flash.XXXXXX)
  own_work=1
fi
server=""
cleanup() {
  if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [[ -n ${ceiling_pid:-} ]]; then kill "$ceiling_pid" 2>/dev/null || true; wait "$ceiling_pid" 2>/dev/null || true; fi
  if [[ $own_work == 1 ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
server_pin=() load_pin=()
if [[ $(nproc) -ge 2 ]]; then server_pin=(taskset -c 0) load_pin=(taskset -c 1); fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$datagen" --accounts "$accounts" --units "$units" --sale-starts-in-ms "$start_in" \
  --data-dir "$work/flash-data" --tokens-file "$work/flash-tokens" \
  --manifest "$work/flash-datagen.json" --base-url "http://127.0.0.1:$port" --quiet > /dev/null
read -r campaign merchant_token import_s < <(python3 -c '
import json,sys; m=json.load(open(sys.argv[1])); print(m["campaign_id"], m["merchant_token"], m["seconds"])' \
  "$work/flash-datagen.json")

start_ns=$(date +%s%N)
"${server_pin[@]}" "$plaza" serve --listen "127.0.0.1:$port" --data-dir "$work/flash-data" \
  --threads 1 --no-rate-limit --log-level warn > "$work/flash-plaza.log" 2>&1 &
server=$!
up=0
for _ in $(seq 1 6000); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/instance"; then up=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[[ $up == 1 ]] || { echo "flash-sale: plaza did not come up: $(tail -5 "$work/flash-plaza.log")" >&2; exit 1; }
startup_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

"${load_pin[@]}" "$loadgen" --port "$port" --flash-sale "$campaign" --tokens "$work/flash-tokens" \
  --connections "$conns" --pay 50 > "$work/flash-load.json"
curl -s "http://127.0.0.1:$port/api/plaza/v1/campaigns/$campaign" > "$work/flash-campaign.json"
curl -s -H "Authorization: Bearer $merchant_token" "http://127.0.0.1:$port/api/plaza/v1/merchant/stats" \
  > "$work/flash-stats.json"
kill "$server"
wait "$server" 2>/dev/null || true
server=""
ledger_rc=0
"$plaza" commerce check-ledger --data-dir "$work/flash-data" > "$work/flash-ledger.json" || ledger_rc=$?

# The ceiling for this shape. Its answer carries "phase":"on_sale" so that plaza-load's wait for
# the sale passes at once; every attempt is then answered 200 with those bytes (plaza-load counts
# them as wins; only the rate and latency are used).
printf '{"error":"sold out","phase":"on_sale"}' > "$work/flash-ceiling-body.json"
cport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${server_pin[@]}" "$ceiling" "$cport" "$work/flash-ceiling-body.json" &
ceiling_pid=$!
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$cport/"; then break; fi
  sleep 0.05
done
"${load_pin[@]}" "$loadgen" --port "$cport" --flash-sale "$campaign" --tokens "$work/flash-tokens" \
  --connections "$conns" > "$work/flash-ceiling.json"
kill "$ceiling_pid"
wait "$ceiling_pid" 2>/dev/null || true
ceiling_pid=""

python3 - "$work" "$accounts" "$units" "$startup_ms" "$import_s" "$ledger_rc" "$campaign" <<'EOF'
import json, sys
work, accounts, units, startup_ms, import_s, ledger_rc, campaign = sys.argv[1:]
load = json.load(open(work + "/flash-load.json"))
ceiling = json.load(open(work + "/flash-ceiling.json"))
camp = json.load(open(work + "/flash-campaign.json"))
stats = json.load(open(work + "/flash-stats.json"))
ledger = json.load(open(work + "/flash-ledger.json"))
row = next((c for c in stats.get("campaigns", []) if str(c.get("campaign_id")) == campaign), {})
out = {
    "accounts": int(accounts),
    "attempts": load["attempts"],
    "attempts_per_s": round(load["attempts_per_s"], 1),
    "time_to_sell_out_ms": load["time_to_sell_out_ms"],
    "p50_ms": load["p50_ms"],
    "p99_ms": load["p99_ms"],
    "max_ms": load["max_ms"],
    "connections": load["connections"],
    "wins": load["wins"],
    "sold_out_answers": load["sold_out"],
    "other_answers": load["other"] + load["socket_errors"],
    "units_offered": int(units),
    "units_sold": camp.get("sold"),
    "remaining": camp.get("remaining"),
    "orders": row.get("orders"),
    "distinct_buyers": row.get("reservation_holders_who_bought"),
    "paid_orders": load["paid"],
    "ledger_balanced": ledger_rc == "0" and ledger.get("balanced") is True,
    "ledger_orders": ledger.get("orders"),
    "import_s": float(import_s),
    "server_startup_ms": int(startup_ms),
    "ceiling_attempts_per_s": round(ceiling["attempts_per_s"], 1),
    "ceiling_p99_ms": ceiling["p99_ms"],
    "vs_ceiling": round(load["attempts_per_s"] / ceiling["attempts_per_s"], 4)
    if ceiling["attempts_per_s"] and ceiling["answered"] == ceiling["attempts"] else None,
}
out["verified"] = (out["units_sold"] == out["units_offered"] == out["orders"] ==
                   out["distinct_buyers"] == out["wins"] == out["ledger_orders"] and
                   out["ledger_balanced"] and out["other_answers"] == 0)
print(json.dumps(out))
EOF
