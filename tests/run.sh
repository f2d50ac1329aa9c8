#!/usr/bin/env bash
# run.sh - install what is missing, build, and run every test:
#   1. the Check suites (unit, end-to-end against the real binary on
#      loopback, the fuzz corpora replayed) in a normal build, and every
#      answer of the end-to-end suites against static/openapi.json (ajv), and
#      the FHIR resources among them against the R4 JSON schema (tests/fhir);
#   2. static checks: cppcheck, gcc -fanalyzer, the binary's hardening; the
#      build matrix: every build type with gcc and clang from a long path,
#      warning-free (tests/build-matrix.sh); the Debian package built,
#      linted, installed, run and purged on this machine (tests/package-test.sh);
#   3. the benchmark's smoke run;
#   4. the browser tests (tests/browser: Debian's chromium, playwright-core);
#   5. the Check suites again under AddressSanitizer + UndefinedBehaviorSanitizer
#      (-fno-sanitize-recover=all), under ThreadSanitizer, and under valgrind
#      memcheck (tests/valgrind.sh);
#   6. each libFuzzer target for a minute (tests/fuzz/run.sh).
# Every build here is configured with -DTIMEBOK_WERROR=ON (warnings are
# errors in CI; the scripts it calls read TIMEBOK_WERROR).
# Usage:
#   tests/run.sh                     everything (CI)
#   tests/run.sh --quick             1, 3 and 4 only
#   tests/run.sh --crash-rounds 200  the SIGKILL loop 200 times (default 20)
#   tests/run.sh --fuzz-seconds 600  fuzz longer (default 60 a target)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0 fuzz_secs=60
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --crash-rounds) export TIMEBOK_CRASH_ROUNDS=$2; shift ;;
    --fuzz-seconds) fuzz_secs=$2; shift ;;
    *) echo "usage: tests/run.sh [--quick] [--crash-rounds N] [--fuzz-seconds N]" >&2; exit 2 ;;
  esac
  shift
done
deploy/install-deps.sh --test

jobs=$(nproc)
export TIMEBOK_WERROR=ON
run_suite() { # build-dir cmake-args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DTIMEBOK_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure
}

echo "== tests (RelWithDebInfo)"
run_suite build -DBUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo

echo "== OpenAPI: every e2e answer against static/openapi.json"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
record=$(mktemp -d)
TIMEBOK_RECORD_DIR=$record ctest --test-dir build -j"$jobs" --output-on-failure \
  -R '^e2e_' >"$record/ctest.log" || { cat "$record/ctest.log"; exit 1; }
python3 tests/openapi/probe.py build/timebok "$record" # bad ids, parameters, bodies, roles
node tests/openapi/validate.mjs "$record"
echo "== FHIR: the questionnaires and answers against the R4 JSON schema"
node tests/fhir/validate.mjs "$record"
rm -rf "$record"

if [ $quick = 0 ]; then
  echo "== static checks"
  tests/static-checks.sh build
  echo "== build matrix (Debug, RelWithDebInfo, Release, MinSizeRel x gcc, clang; -Werror)"
  tests/build-matrix.sh -j"$jobs"
  echo "== Debian package: cpack, lintian, dpkg -i, the installed server, dpkg --purge"
  tests/package-test.sh
fi

echo "== benchmark smoke (10k, one round: fails on errors and the gate, not on speed)"
tests/bench/run.sh --smoke

echo "== browser tests (headless chromium; screenshots in tests/browser/screenshots)"
TIMEBOK_BIN="$PWD/build/timebok" node --test --test-concurrency=1 tests/browser/
[ $quick = 1 ] && exit 0

echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DBUILD_TESTS=ON -DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

echo "== tests under ThreadSanitizer"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  run_suite build-tsan -DBUILD_TESTS=ON -DTSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo

echo "== tests under valgrind memcheck"
tests/valgrind.sh build

echo "== fuzzing (${fuzz_secs} s a target)"
tests/fuzz/run.sh "$fuzz_secs"
