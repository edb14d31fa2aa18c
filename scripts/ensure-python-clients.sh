#!/usr/bin/env bash
# Makes a Python venv with the real Doover clients (doover-cli + pydoover from PyPI, pinned with
# every dependency by scripts/python-clients-constraints.txt) and prints its directory. Cached
# under $HOME/.cache/pulumi-doover/python-clients-<pins>-<constraints hash> (like the Pulumi CLI);
# a cold install takes about a minute and a half on 2 cores, a warm call only checks the venv.
# Exit 3 when no usable python3 (>= 3.11, with venv) is found; progress goes to stderr.
set -euo pipefail

cli_version=${DOOVER_CLI_VERSION:-0.7.1}
pydoover_version=${PYDOOVER_VERSION:-1.18.3}
root=${PYTHON_CLIENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-doover}
constraints="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/python-clients-constraints.txt"
pins=$({ sha256sum 2>/dev/null || shasum -a 256; } <"$constraints" | cut -c1-12)
venv="$root/python-clients-cli$cli_version-pydoover$pydoover_version-$pins"
log() { echo "[ensure-python-clients] $*" >&2; }

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
  log "python3 not found: the real-client tests need Python >= 3.11 with the venv module"
  exit 3
fi
if ! "$python" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  log "$("$python" --version 2>&1) cannot be used: the real-client tests need Python >= 3.11 with the venv module"
  exit 3
fi

ready() { [ -f "$venv/.ready" ] && [ -x "$venv/bin/doover" ] && [ -x "$venv/bin/python" ]; }
if ready; then
  echo "$venv"
  exit 0
fi

mkdir -p "$root"
# One install at a time per cache: a second caller waits, then finds the finished venv.
if command -v flock >/dev/null; then
  exec 9>"$venv.lock"
  if ! flock -n 9; then
    log "another process is installing into $venv; waiting for it"
    flock 9
  fi
  if ready; then
    echo "$venv"
    exit 0
  fi
fi

log "installing doover-cli==$cli_version pydoover==$pydoover_version into $venv"
# venvs hard-code their path in scripts, so build in place after clearing; `.ready` comes last,
# so a killed install is never taken for a finished one.
rm -rf "$venv"
"$python" -m venv "$venv" >&2
# The constraints pin doover-cli/pydoover too: versions set in the environment replace those pins.
grep -viE '^(doover-cli|pydoover)==' "$constraints" >"$venv.constraints"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c "$venv.constraints" \
  "doover-cli==$cli_version" "pydoover==$pydoover_version" >&2
rm -f "$venv.constraints"
"$venv/bin/doover" --help >/dev/null
"$venv/bin/python" -c 'from pydoover.api import ControlClient' >&2
touch "$venv/.ready"
log "installed $("$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -iE '^(doover-cli|pydoover) ' | tr -s ' ' | paste -sd, -)"
echo "$venv"
