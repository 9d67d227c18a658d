#!/usr/bin/env bash
# Runs every test: unit tests, the twitter-text conformance suite, API tests over real HTTP, the
# crash test, the Mastodon client test (masto.js) and short fuzz runs — all through ctest, whose
# summary is the closing line.
set -euo pipefail
build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)

# Node packages for the client tests (versions pinned by package-lock.json).
for dir in tests/api tests/clients; do
  if [[ -f "$root/$dir/package.json" ]]; then
    (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done

cd "$root/$build_dir"
exec ctest --output-on-failure -j2 --timeout 900
