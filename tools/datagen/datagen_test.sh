#!/usr/bin/env bash
# ctest datagen_import: plaza-datagen is deterministic (same seed, same digest and tokens, whatever
# the batch size and commit threads, also over several jobs of rendered posts; another seed,
# another digest) and its bulk import yields a
# data directory that `plaza serve` starts from and serves: a token from the tokens file reads a
# home timeline with posts, and a generated account's profile timeline over HTTP.
# Usage: datagen_test.sh PLAZA_DATAGEN PLAZA
set -euo pipefail
datagen=$1
plaza=$2
work=$(mktemp -d /tmp/plaza-datagen-test.XXXXXX)
server=""
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

gen() {  # NAME SEED [more options]
  "$datagen" --scale small --accounts 300 --posts 3000 --likes 2000 --tokens 50 --seed "$2" \
    --data-dir "$work/$1" --tokens-file "$work/$1.tokens" --targets-file "$work/$1.targets" \
    --base-url http://127.0.0.1:1 --quiet "${@:3}" > "$work/$1.json"
}
digest() { sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p' "$work/$1.json"; }
# `a` (the one served below) goes through many small batches committed on three threads at once.
gen a 7 --batch-rows 997 --commit-threads 3
gen b 7
gen c 8
[[ -n $(digest a) ]] || fail "no digest in $(cat "$work/a.json")"
[[ $(digest a) == "$(digest b)" ]] || fail "same seed, different digests: $(digest a) $(digest b)"
[[ $(digest a) != "$(digest c)" ]] || fail "different seeds, same digest"
cmp -s "$work/a.tokens" "$work/b.tokens" || fail "same seed, different tokens"
cmp -s "$work/a.targets" "$work/b.targets" || fail "same seed, different targets"
grep -q '"accounts":300,' "$work/a.json" || fail "unexpected counts: $(cat "$work/a.json")"
echo "deterministic: digest $(digest a)"

# Posts are rendered on the loader's threads in jobs of 32,768: three jobs on one thread and on
# three threads give the same records.
posts() {  # NAME THREADS
  "$datagen" --scale small --accounts 300 --posts 70000 --likes 100 --tokens 5 --seed 9 \
    --data-dir "$work/$1" --quiet --commit-threads "$2" > "$work/$1.json"
}
posts p1 1
posts p3 3
grep -q '"posts":70000,' "$work/p1.json" || fail "unexpected counts: $(cat "$work/p1.json")"
[[ $(digest p1) == "$(digest p3)" ]] || fail "posts differ by thread count: $(digest p1) $(digest p3)"
rm -rf "$work/p1" "$work/p3"
echo "posts on 1 and 3 threads: digest $(digest p1)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$plaza" serve --listen "127.0.0.1:$port" --data-dir "$work/a" --threads 1 --no-rate-limit \
  --log-level warn > "$work/plaza.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/instance" && break
  kill -0 "$server" 2>/dev/null || fail "plaza exited: $(cat "$work/plaza.log")"
  sleep 0.1
done
read -r token account username < <(sed -n 2p "$work/a.tokens")
home=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/timelines/home?limit=20")
[[ $(tail -n1 <<< "$home") == 200 ]] || fail "home timeline: $home"
posts=$(head -n -1 <<< "$home" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[[ $posts -gt 0 ]] || fail "home timeline of $username is empty"
me=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/accounts/verify_credentials")
grep -q "\"id\":\"$account\"" <<< "$me" || fail "token does not sign in as $username: $me"
celeb=$(curl -s "http://127.0.0.1:$port/api/v1/accounts/lookup?acct=u0")
grep -q '"followers_count":299' <<< "$celeb" || fail "u0 should have 299 followers: $celeb"
echo "served: $username's home timeline has $posts posts; u0 has 299 followers"
