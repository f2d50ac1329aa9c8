#!/usr/bin/env bash
# build-deb.sh - build the Debian package: a Release build installed under
# /usr (the paths the package needs), packed by CPack (deploy/package.cmake).
# Prints the path of the .deb; install it with
#   apt install ./build-deb/timebok_*.deb
# Usage: deploy/build-deb.sh [build-dir]   (default build-deb)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-deb}
deploy/install-deps.sh --deb >&2
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr \
  -DTIMEBOK_WERROR="${TIMEBOK_WERROR:-OFF}" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
rm -f "$dir"/timebok_*.deb
(cd "$dir" && cpack -G DEB >/dev/null)
ls "$dir"/timebok_*.deb
