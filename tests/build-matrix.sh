#!/usr/bin/env bash
# build-matrix.sh - timebok builds without a warning whatever the compiler,
# the build type or the folder it is checked out in: a copy of the source in
# a folder whose path is about 200 characters long is configured and built
# (server, tests, fuzz replays, benchmark tool; compile only, nothing runs)
# as Debug, RelWithDebInfo, Release and MinSizeRel, with gcc and with clang,
# each with -DTIMEBOK_WERROR=ON.  A warning fails the run and shows the log.
# Usage: tests/build-matrix.sh [-jN]           (default -j2)
#        CCS="gcc" TYPES="Release" tests/build-matrix.sh   (a part of it)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:--j2}
ccs=(${CCS:-gcc clang})
types=(${TYPES:-Debug RelWithDebInfo Release MinSizeRel})

# The copy: the files git knows (tracked, and new ones not ignored), so no
# build folders or node_modules; a plain copy of the tree outside git.
top=$(mktemp -d /tmp/timebok-matrix-XXXXXX)
trap 'rm -rf "$top"' EXIT
src=$top
while [ ${#src} -lt 190 ]; do src=$src/long-checkout-path; done
src=$src/timebok
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$src"
else
  tar --exclude='./build*' --exclude=node_modules -cf - . | tar -xf - -C "$src"
fi
echo "build matrix: source at a path of ${#src} characters"

failed=0
for cc in "${ccs[@]}"; do
  for type in "${types[@]}"; do
    # the build folder inside the checkout, as `cmake -B build` makes it:
    # the tests compile the binary's path in
    dir=$src/build-$cc-$type log=$top/$cc-$type.log
    t0=$(date +%s)
    if CC=$cc cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DTIMEBOK_WERROR=ON \
         -DBUILD_TESTS=ON >"$log" 2>&1 &&
       cmake --build "$dir" "$jobs" >>"$log" 2>&1 &&
       ! grep -q 'warning:' "$log"; then
      echo "build matrix: $cc $type: clean ($(($(date +%s) - t0)) s)"
    else
      echo "build matrix: $cc $type: FAILED"
      grep -E -B2 -A6 'warning:|error:' "$log" | head -60 || tail -30 "$log"
      failed=1
    fi
    rm -rf "$dir"
  done
done
exit $failed
