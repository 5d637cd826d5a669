#!/usr/bin/env bash
# Installs, with apt-get, every Debian package Cairn needs to build, test and benchmark
# that is not installed yet. Run as root on Debian 12. Safe to run repeatedly.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-program-options-dev libboost-system-dev
  libthrift-dev thrift-compiler libssl-dev
  libsnappy-dev libxxhash-dev zlib1g-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  librocksdb-dev libleveldb-dev
  python3 python3-thrift python3-pytest
  gnuplot-nox
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
