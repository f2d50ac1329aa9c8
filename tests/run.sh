#!/usr/bin/env bash
# run.sh - install what is missing, build, and run every test: the Check
# suites (unit and end-to-end against the real binary on loopback), first in
# a normal build, then again under AddressSanitizer + UndefinedBehaviorSanitizer,
# and the browser tests (tests/browser: Debian's chromium, playwright-core).
#   tests/run.sh            everything
#   tests/run.sh --quick    the normal build only
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh --test

jobs=$(nproc)
run_suite() { # build-dir cmake-args...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure
}

echo "== tests (RelWithDebInfo)"
run_suite build -DBUILD_TESTS=ON

echo "== benchmark smoke (10k, one round: fails on errors and the gate, not on speed)"
tests/bench/run.sh --smoke

echo "== browser tests (headless chromium; screenshots in tests/browser/screenshots)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
TIMEBOK_BIN="$PWD/build/timebok" node --test --test-concurrency=1 tests/browser/
if [ "${1:-}" != "--quick" ]; then
  echo "== tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite build-asan -DBUILD_TESTS=ON -DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
fi
