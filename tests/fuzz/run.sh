#!/usr/bin/env bash
# run.sh - build the libFuzzer targets with clang (build-fuzz/) and fuzz
# each for a while, two at a time, starting from its seed corpus
# (tests/fuzz/corpus/<target>; new inputs go to a scratch folder, not the
# repository).  A crash, leak or timeout fails the run and leaves the input
# in build-fuzz/artifacts/: copy it into the target's corpus as
# regress-<what>, fix, and it is replayed by every ctest from then on.
#   tests/fuzz/run.sh             60 s a target
#   tests/fuzz/run.sh 600 router  10 minutes, one target
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(rfc3339 router cookie token validate templates questionnaire)

CC=clang cmake -S . -B build-fuzz -DFUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTIMEBOK_WERROR="${TIMEBOK_WERROR:-OFF}" >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
mkdir -p build-fuzz/artifacts build-fuzz/scratch

fuzz() { # target
  local t=$1 work=build-fuzz/scratch/$1
  rm -rf "$work" && mkdir -p "$work"
  if build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
       -max_len=8192 -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/"$t"- \
       "$work" tests/fuzz/corpus/"$t" >build-fuzz/"$t".log 2>&1; then
    echo "fuzz $t: ok, $(grep -o 'stat::number_of_executed_units: *[0-9]*' build-fuzz/"$t".log | grep -o '[0-9]*$') runs in ${secs}s"
  else
    echo "fuzz $t: FAILED"
    grep -E 'ERROR|SUMMARY|Test unit written' build-fuzz/"$t".log | head -5
    return 1
  fi
}

failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do
    fuzz "$t" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
done
exit $failed
