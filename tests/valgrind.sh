#!/usr/bin/env bash
# valgrind.sh - the Check suites under valgrind memcheck, in one process each
# (CK_FORK=no), with the server they start under memcheck too
# (TIMEBOK_VALGRIND; tests/e2e.c): zero errors and zero bytes lost
# (definite, indirect or possible), or the run fails.  The fuzz corpora are
# replayed under it as well.  The load tests (race, crash, hostile: hundreds
# of connections on deadlines) run under ASan and TSan instead; memcheck's
# 20-50x slowdown makes their deadlines meaningless.
# Usage: tests/valgrind.sh [build-dir]   (default build, already built)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full
    --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible)

run() { # name command...
  local name=$1 log
  shift
  log=$(mktemp)
  if CK_FORK=no TIMEBOK_VALGRIND=1 "${vg[@]}" "$@" >"$log" 2>&1; then
    echo "valgrind $name: clean"
  else
    echo "valgrind $name: FAILED"
    tail -40 "$log"
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}
jobs=()
for t in timeutil validate store upgrade auth throttle slots openapi messages \
         questionnaire e2e_api e2e_auth e2e_hours e2e_invite e2e_delivery e2e_rules e2e_day \
         e2e_restore e2e_isolation e2e_guests e2e_rebook e2e_survey e2e_sso; do
  jobs+=("$t $dir/tests/test_$t")
done
for t in rfc3339 router cookie token validate templates questionnaire; do
  jobs+=("fuzz_$t $dir/tests/fuzz/fuzz_$t tests/fuzz/corpus/$t")
done
failed=0
for ((i = 0; i < ${#jobs[@]}; i += 2)); do
  pids=()
  for j in "${jobs[@]:i:2}"; do
    # shellcheck disable=SC2086
    run $j & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
done
exit $failed
