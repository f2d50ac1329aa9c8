#!/usr/bin/env bash
# run-demo.sh - install what is missing, build, and start timebok with demo
# data on http://127.0.0.1:8080 (database: build-demo/demo.db).  Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake -S . -B build-demo -DBUILD_TESTS=OFF >/dev/null
cmake --build build-demo -j"$(nproc)"
exec build-demo/timebok --db build-demo/demo.db --listen 127.0.0.1:8080 --demo "$@"
