#!/usr/bin/env bash
# static-checks.sh - what is checked without running the tests:
#   1. cppcheck (warning, performance, portability) on the server, the
#      tests and the benchmark: no findings;
#   2. gcc -fanalyzer over the server: no findings (built with -Werror);
#   3. the binary in build/ is hardened: PIE, full RELRO (BIND_NOW), stack
#      protector, _FORTIFY_SOURCE, a non-executable stack.
# Usage: tests/static-checks.sh [build-dir]   (default build; built first)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/timebok

echo "-- cppcheck"
cppcheck -q --enable=warning,performance,portability --std=c11 --inline-suppr \
  --error-exitcode=1 -I server -I build/generated server/
cppcheck -q --enable=warning,performance,portability --std=c11 --inline-suppr \
  --suppress=unknownMacro --error-exitcode=1 -I server -I tests \
  tests/*.c tests/fuzz/*.c tests/bench/*.c

echo "-- gcc -fanalyzer"
cmake -S . -B build-analyzer -DBUILD_TESTS=OFF -DCMAKE_C_FLAGS=-fanalyzer \
  -DTIMEBOK_WERROR=ON >/dev/null
cmake --build build-analyzer -j"$(nproc)" --target timebok

echo "-- hardening of $bin"
fail() { echo "static-checks: $bin: $*" >&2; exit 1; }
head=$(readelf -h "$bin") dyn=$(readelf -d "$bin") seg=$(readelf -lW "$bin") syms=$(nm -D "$bin")
grep -q 'Type:.*DYN' <<<"$head" || fail "not a PIE"
grep -Eq 'BIND_NOW|FLAGS_1.*NOW' <<<"$dyn" || fail "no BIND_NOW (full RELRO)"
grep -q GNU_RELRO <<<"$seg" || fail "no RELRO segment"
grep GNU_STACK <<<"$seg" | grep -q ' RW ' || fail "executable stack"
grep -q __stack_chk_fail <<<"$syms" || fail "no stack protector"
grep -Eq '__[a-z_]+_chk@' <<<"$syms" || fail "no _FORTIFY_SOURCE checks"
echo "static checks: clean"
