#!/usr/bin/env bash
# Fetches the files of pydoover's source distribution on PyPI that the tests read, and prints the folder
# holding them (paths as in the sdist): `protos/Doover Control API.yaml` (the Control API's OpenAPI
# document, which conformance and the emulator's spec tests validate against) and
# `examples/doover_config.json` (a real example config). Nothing third-party is tracked in the repository:
# `pip download --no-binary :all: --no-deps pydoover==<version>` fetches the sdist through pip's
# configured index, the files listed in scripts/pydoover-sdist.sha256 are extracted and must match the
# sums pinned there (a changed upstream file fails here instead of changing what the tests check), and
# the result is cached under $HOME/.cache/pulumi-doover/pydoover-sdist-<version>-<pins hash>, next to
# the Python clients' venv ($XDG_CACHE_HOME/pulumi-doover when set; PYDOOVER_SDIST_CACHE overrides the
# root). A cold fetch takes 25-65 s on 2 cores (pip builds the sdist's metadata); a warm call re-checks the
# sums (milliseconds).
# Exit 3: no python3 with pip; 4: the download failed; 5: a file differs from its pinned sum.
# Progress goes to stderr; only the folder goes to stdout.
set -euo pipefail

version=1.18.3 # the sums in scripts/pydoover-sdist.sha256 are this version's
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sums="$here/pydoover-sdist.sha256"
if command -v sha256sum >/dev/null; then sha256() { sha256sum "$@"; }; else sha256() { shasum -a 256 "$@"; }; fi
pins=$(sha256 <"$sums" | cut -c1-12)
root=${PYDOOVER_SDIST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-doover}
dir="$root/pydoover-sdist-$version-$pins"
log() { echo "[ensure-pydoover-sdist] $*" >&2; }

# Every pinned file is there with its pinned sum (run in the folder holding the files).
matches() { (cd "$1" && sha256 -c "$sums" >/dev/null 2>&1); }
ready() { [ -f "$dir/.ready" ] && matches "$dir"; }
if ready; then
  echo "$dir"
  exit 0
fi

python=${PYTHON:-python3}
if ! "$python" -m pip --version >/dev/null 2>&1; then
  log "no $python with pip: the tests read the Doover Control API spec from pydoover $version's source"
  log "distribution on PyPI. Install Python 3 with pip (e.g. apt-get install python3-pip), or set PYTHON"
  log "to an interpreter that has pip."
  exit 3
fi

mkdir -p "$root"
# One download at a time per cache: a second caller waits, then finds the finished folder.
if command -v flock >/dev/null; then
  exec 9>"$dir.lock"
  if ! flock -n 9; then
    log "another process is fetching into $dir; waiting for it"
    flock 9
  fi
  if ready; then
    echo "$dir"
    exit 0
  fi
fi

# Staged next to the cache (same file system), moved into place whole; `.ready` comes last.
stage=$(mktemp -d "$root/.pydoover-sdist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
log "downloading pydoover==$version's source distribution (pip download; 25-65 s: pip builds its metadata)"
if ! "$python" -m pip download --no-binary :all: --no-deps --disable-pip-version-check --dest "$stage" \
  "pydoover==$version" >"$stage/pip.log" 2>&1; then
  tail -n 15 "$stage/pip.log" >&2
  log "pip could not download pydoover==$version (output above). The tests need it from PyPI: check that"
  log "pip reaches its index (pip config list; PIP_INDEX_URL for a mirror), then run: bash $here/$(basename "$0")"
  exit 4
fi
sdist=$(find "$stage" -maxdepth 1 -name "pydoover-$version.tar.gz" | head -n 1)
[ -n "$sdist" ] || {
  log "pip saved no pydoover-$version.tar.gz in $stage"
  exit 4
}
files=()
while IFS= read -r line; do
  [ -n "$line" ] && files+=("pydoover-$version/${line#* [ *]}")
done <"$sums"
tar -xzf "$sdist" -C "$stage" "${files[@]}"
if ! matches "$stage/pydoover-$version"; then
  (cd "$stage/pydoover-$version" && sha256 -c "$sums" >&2) || true
  log "pydoover $version's files differ from the sums pinned in $sums (above). Read what changed upstream,"
  log "then update the sums (sha256sum of each file) in the same commit as any test change it needs."
  exit 5
fi
rm -rf "$dir"
mv "$stage/pydoover-$version" "$dir"
touch "$dir/.ready"
log "cached $(du -sh "$dir" | cut -f1) in $dir"
echo "$dir"
