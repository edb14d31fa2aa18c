#!/usr/bin/env bash
# Idempotent setup for a fresh clone: dependencies, compile, Pulumi CLI.
#   1. `npm ci` when node_modules is missing or older than package-lock.json
#      (npm 11 runs only the install scripts allowed by package.json "allowScripts");
#   2. `tsc -p .` into dist/;
#   3. scripts/ensure-pulumi.sh (cached CLI, or a build from the Go modules).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
log() { echo "[setup] $*" >&2; }

if [ ! -x node_modules/.bin/tsc ] || [ ! -x node_modules/.bin/node ] ||
  [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
else
  log "dependencies up to date"
fi

# Node 22 from node_modules for everything below (the system node may be older).
export PATH="$repo/node_modules/.bin:$PATH"
# Compiled files whose source is gone (renamed/deleted tests) would still be picked up by mocha.
if [ -d dist ]; then
  find dist -name '*.js' -print | while read -r js; do
    src=${js#dist/}
    [ -f "${src%.js}.ts" ] || rm -f "$js" "$js.map" "${js%.js}.d.ts"
  done
fi
log "compiling (tsc, node $(node --version))"
tsc -p .
chmod +x dist/emulator/cli.js dist/probe/cli.js # the `doover-emulator` and `doover-probe` bins (npx runs them from the repo too)
bash scripts/ensure-pulumi.sh >/dev/null
log "ready"
