#!/usr/bin/env bash
# Makes a Python venv with the real Doover clients (doover-cli + pydoover from PyPI, pinned) and
# prints its directory. Cached under $HOME/.cache/pulumi-doover/python-clients-<pins> (like the
# Pulumi CLI); a cold install takes about a minute, a warm call only checks the venv.
# Exit 3 when no usable python3 (>= 3.11, with venv) is found; progress goes to stderr.
set -euo pipefail

cli_version=${DOOVER_CLI_VERSION:-0.7.1}
pydoover_version=${PYDOOVER_VERSION:-1.18.3}
root=${PYTHON_CLIENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-doover}
venv="$root/python-clients-cli$cli_version-pydoover$pydoover_version"
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
# Build in a side folder, then rename: a killed install never leaves a half venv that looks ready.
# venvs hard-code their path in scripts, so build at the final path's sibling and rename is not
# enough; build in place after clearing, and mark ready last.
rm -rf "$venv"
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "doover-cli==$cli_version" "pydoover==$pydoover_version" >&2
"$venv/bin/doover" --help >/dev/null
"$venv/bin/python" -c 'import pydoover.cloud.api' >&2 || "$venv/bin/python" -c 'import pydoover' >&2
touch "$venv/.ready"
log "installed $("$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -iE '^(doover-cli|pydoover) ' | tr -s ' ' | paste -sd, -)"
echo "$venv"
