#!/usr/bin/env bash
# The whole test suite on the compiled output (run scripts/setup.sh first; `npm test` does):
#   0. biome check                   lint + format check of the sources (`npm run lint:fix` repairs most)
#   0b. scripts/ensure-pydoover-sdist.sh  the inputs from PyPI: the Doover Control API document and
#      pydoover's example config (pydoover 1.18.3's sdist, checked against pinned sums, cached)
#   1. dist/tests/*.test.js          unit + emulator + provider + package contents tests
#   2. dist/tests/mocks/*.test.js    pulumi.runtime.setMocks tests (separate process: setMocks is global)
#   3. dist/tests/e2e/*.test.js      the real Pulumi engine (never skipped in CI)
#   3b. dist/tests/faults/*.test.js  the fault suite: real CLI + user-style project behind a fault proxy
#   4. dist/tests/real-clients/*.test.js doover-cli + pydoover from PyPI (venv cached by
#      scripts/ensure-python-clients.sh under ~/.cache/pulumi-doover; fails without Python)
#   5. dist/tests/conformance.test.js LAST: checks every API response recorded during 1-4
# All runs share one DOOVER_EMULATOR_RECORD file. Every group runs; exit is non-zero if any failed.
# A group fails unless it ran at least one test and left none pending: a skipped test would hide a
# missing input (no spec, no Python), so inputs are fetched or fail, and never skip.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export PATH="$repo/node_modules/.bin:$PATH"
shopt -s nullglob

record=$(mktemp "${TMPDIR:-/tmp}/doover-emulator-record.XXXXXX.jsonl")
counts=$(mktemp "${TMPDIR:-/tmp}/doover-test-counts.XXXXXX.json")
# Tests not registered because the machine lacks what they need (outside CI only; tests/support/not-run.ts).
notes=$(mktemp "${TMPDIR:-/tmp}/doover-test-notes.XXXXXX.txt")
trap 'rm -f "$record" "$counts" "$notes"' EXIT
export DOOVER_EMULATOR_RECORD=$record DOOVER_TEST_NOTES=$notes

unit=()
for f in dist/tests/*.test.js; do [ "$f" = dist/tests/conformance.test.js ] || unit+=("$f"); done
mocks=(dist/tests/mocks/*.test.js)
e2e=(dist/tests/e2e/*.test.js)
faults=(dist/tests/faults/*.test.js)
realclients=(dist/tests/real-clients/*.test.js)
conformance=(dist/tests/conformance.test.js)

summary=()
failed=0
passed_total=0
line() { # $1 = label, $2 = verdict, $3 = seconds, $4 = what
  summary+=("$(printf '%-12s %-7s %4ss  %s' "$1" "$2" "$3" "$4")")
  [ "$2" = ok ] || failed=1
}
run_step() { # $1 = label, $2 = what, rest = command
  local label=$1 what=$2
  shift 2
  echo
  echo "=== $label: $what ==="
  local start=$SECONDS status
  "$@"
  status=$?
  if [ $status -eq 0 ]; then
    line "$label" ok $((SECONDS - start)) "$what"
  else
    line "$label" FAILED $((SECONDS - start)) "$what (exit $status)"
  fi
}
run_group() { # $1 = label, rest = files; judged by the counts the reporter writes, not only by mocha's exit
  local label=$1
  shift
  if [ $# -eq 0 ]; then
    line "$label" FAILED 0 "ran nothing: no test files (is dist/ built? npm run setup)"
    return
  fi
  echo
  echo "=== $label: $# file(s) ==="
  local start=$SECONDS status passes=0 failures=0 pending=0 what
  : >"$counts"
  MOCHA_COUNTS_FILE=$counts mocha --reporter dist/tests/support/counting-reporter.js "$@"
  status=$?
  if [ -s "$counts" ]; then
    read -r passes failures pending < <(sed -E 's/.*"passes":([0-9]+).*"failures":([0-9]+).*"pending":([0-9]+).*/\1 \2 \3/' "$counts")
  fi
  passed_total=$((passed_total + passes))
  what="$# file(s): $passes passing"
  [ "$failures" -eq 0 ] || what+=", $failures failing"
  [ "$pending" -eq 0 ] || what+=", $pending pending"
  if [ ! -s "$counts" ]; then
    line "$label" FAILED $((SECONDS - start)) "$# file(s): mocha stopped before reporting (exit $status; see above)"
  elif [ $status -ne 0 ] || [ "$failures" -ne 0 ]; then
    line "$label" FAILED $((SECONDS - start)) "$what (exit $status)"
  elif [ "$passes" -eq 0 ]; then
    line "$label" FAILED $((SECONDS - start)) "ran nothing: $what"
  elif [ "$pending" -ne 0 ]; then
    line "$label" FAILED $((SECONDS - start)) "$what: a pending test is a skipped one (see above)"
  else
    line "$label" ok $((SECONDS - start)) "$what"
  fi
}

total_start=$SECONDS
run_step lint "biome check ." biome check --max-diagnostics=50 .
run_step inputs "pydoover 1.18.3's sdist from PyPI: API document + example config" \
  bash scripts/ensure-pydoover-sdist.sh
run_group unit "${unit[@]}"
run_group mocks "${mocks[@]}"
run_group e2e "${e2e[@]}"
run_group faults "${faults[@]}"
run_group real-clients "${realclients[@]}"
run_group conformance "${conformance[@]}"

echo
echo "=== summary ($((SECONDS - total_start))s, $passed_total tests passed, $(wc -l <"$record") API responses recorded) ==="
printf '%s\n' "${summary[@]}"
[ ! -s "$notes" ] || sed 's/^/  /' "$notes"
exit $failed
