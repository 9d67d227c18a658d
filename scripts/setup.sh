#!/usr/bin/env bash
# Installs every Debian package Plaza needs to build, run and test, and any packages named as
# arguments (a bench target's own tools: `setup.sh valgrind`). Idempotent: packages that are
# already installed are not fetched again, so `make run` and `make test` call it every time.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev
  librocksdb-dev libsimdjson-dev libsodium-dev
  libvectorscan-dev libutf8proc-dev libopencc-dev opencc libicu-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev libyaml-cpp-dev
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  nodejs npm curl wrk
  nginx redis-server redis-tools python3
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# node and npm may come from outside Debian's packages on some images; accept them when present.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do
    [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p")
  done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  # nginx and redis-server are for the benchmark suite, which starts its own instances on
  # temporary ports: keep the packages from starting (or enabling) system services.
  policy_added=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [[ -n $policy_added ]] && $SUDO rm -f /usr/sbin/policy-rc.d
  if [[ -d /run/systemd/system ]]; then
    $SUDO systemctl disable --now nginx redis-server >/dev/null 2>&1 || true
  fi
else
  echo "setup: all packages present"
fi
