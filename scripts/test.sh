#!/usr/bin/env bash
# The whole test suite on the compiled output (run scripts/setup.sh first; `npm test` does):
#   0. biome check                   lint + format check of the sources (`npm run lint:fix` repairs most)
#   1. dist/tests/*.test.js          unit + emulator + provider + package contents tests
#   2. dist/tests/mocks/*.test.js    pulumi.runtime.setMocks tests (separate process: setMocks is global)
#   3. dist/tests/e2e/*.test.js      the real Pulumi engine (never skipped in CI)
#   3b. dist/tests/faults/*.test.js  the fault suite: real CLI + user-style project behind a fault proxy
#   4. dist/tests/real-clients/*.test.js doover-cli + pydoover from PyPI (venv cached by
#      scripts/ensure-python-clients.sh under ~/.cache/pulumi-doover; fails in CI without Python)
#   5. dist/tests/conformance.test.js LAST: checks every API response recorded during 1-4
# All runs share one DOOVER_EMULATOR_RECORD file. Every group runs; exit is non-zero if any failed.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH="$repo/node_modules/.bin:$PATH"
shopt -s nullglob

record=$(mktemp "${TMPDIR:-/tmp}/doover-emulator-record.XXXXXX.jsonl")
trap 'rm -f "$record"' EXIT
export DOOVER_EMULATOR_RECORD=$record

unit=()
for f in dist/tests/*.test.js; do [ "$f" = dist/tests/conformance.test.js ] || unit+=("$f"); done
mocks=(dist/tests/mocks/*.test.js)
e2e=(dist/tests/e2e/*.test.js)
faults=(dist/tests/faults/*.test.js)
realclients=(dist/tests/real-clients/*.test.js)
conformance=(dist/tests/conformance.test.js)

summary=()
failed=0
run_step() { # $1 = label, $2 = what, rest = command
  local label=$1 what=$2
  shift 2
  echo
  echo "=== $label: $what ==="
  local start=$SECONDS status
  "$@"
  status=$?
  local took=$((SECONDS - start))
  if [ $status -eq 0 ]; then
    summary+=("$(printf '%-12s ok      %4ss  %s' "$label" "$took" "$what")")
  else
    summary+=("$(printf '%-12s FAILED  %4ss  %s (exit %s)' "$label" "$took" "$what" "$status")")
    failed=1
  fi
}
run_group() { # $1 = label, rest = files
  local label=$1
  shift
  if [ $# -eq 0 ]; then
    summary+=("$(printf '%-12s %s' "$label" "no test files")")
    return
  fi
  run_step "$label" "$# file(s)" mocha --reporter spec "$@"
}

total_start=$SECONDS
run_step lint "biome check ." biome check --max-diagnostics=50 .
run_group unit "${unit[@]}"
run_group mocks "${mocks[@]}"
run_group e2e "${e2e[@]}"
run_group faults "${faults[@]}"
run_group real-clients "${realclients[@]}"
run_group conformance "${conformance[@]}"

echo
echo "=== summary ($((SECONDS - total_start))s, $(wc -l <"$record") API responses recorded) ==="
printf '%s\n' "${summary[@]}"
exit $failed
