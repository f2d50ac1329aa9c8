#!/usr/bin/env bash
# run.sh - the benchmark in one command: install what is missing (wrk),
# build if needed, and run bench.py (fixtures, wrk scenarios against the
# hello denominator, the correctness gate, the report).
#   tests/bench/run.sh            10k and 1M, three rounds (about two minutes)
#   tests/bench/run.sh --smoke    CI: 10k, one round; fails on errors only
#   tests/bench/run.sh --mixed    the mixed load: staff per core, 10k and 1M
#                                 (about a minute)
# Other options go to bench.py (--help).
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/install-deps.sh --bench
cmake -S . -B build -DBUILD_TESTS=ON -DTIMEBOK_WERROR="${TIMEBOK_WERROR:-OFF}" >/dev/null
cmake --build build -j"$(nproc)" --target timebok timebok-bench >/dev/null
exec python3 tests/bench/bench.py "$@"
