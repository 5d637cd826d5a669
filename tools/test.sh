#!/usr/bin/env bash
# Installs what is missing, builds Cairn with warnings as errors, and runs every test:
#   1. the RelWithDebInfo build (build/), all tests (unit, crash, end-to-end);
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/), unit tests.
# Usage: tools/test.sh            (everything)
#        CAIRN_SKIP_ASAN=1 tools/test.sh   (skip step 2, for quick local runs)
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

JOBS=$(nproc)
echo "== build (RelWithDebInfo, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_WERROR=ON >/dev/null
cmake --build build -j "$JOBS"
echo "== tests"
ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 600

if [ "${CAIRN_SKIP_ASAN:-0}" != "1" ]; then
  echo "== build (ASan+UBSan, -Werror)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCAIRN_WERROR=ON \
    -DCAIRN_SANITIZE=ON -DCAIRN_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan -j "$JOBS"
  echo "== unit tests under ASan+UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$JOBS" -L unit --timeout 900
fi
echo "== all tests passed"
