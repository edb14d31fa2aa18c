#!/usr/bin/env bash
# Makes a Pulumi CLI available and prints the directory holding it.
#
# Order: a `pulumi` on PATH that is recent enough (>= 3.181, the Automation API's
# floor for inline refresh/destroy); else a cached build under
# $HOME/.cache/pulumi-doover/cli-v<version>; else a fresh build from the Go
# modules (pkg/v3 + sdk/v3) through a throw-away wrapper module, version stamped.
# Next to a cached/built `pulumi` it installs the two Node.js plugins the engine
# looks for there: `pulumi-resource-pulumi-nodejs` (the dynamic-provider shim
# shipped in @pulumi/pulumi) and `pulumi-language-nodejs` (our own host,
# scripts/pulumi-language-nodejs.js: the official Go host is not obtainable from
# the module proxy). Both resolve @pulumi/pulumi from the program directory, so
# one cache serves every checkout.
# Progress goes to stderr; only the directory goes to stdout.
set -euo pipefail

version=${PULUMI_CLI_VERSION:-3.274.1}
min_version=3.181.0
cache=${PULUMI_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-doover/cli-v$version}
log() { echo "[ensure-pulumi] $*" >&2; }
# Quiet on a cache hit when ENSURE_PULUMI_QUIET=1 (scripts/pulumi.sh); builds always report.
note() { [ -n "${ENSURE_PULUMI_QUIET:-}" ] || log "$@"; }
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

install_plugins() { # $1 = bin dir; copies (not links) so the cache has no ties to one checkout
  local shim="$repo/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  [ -f "$shim" ] || { log "missing $shim: run npm ci first"; exit 1; }
  install_file "$shim" "$1/pulumi-resource-pulumi-nodejs"
  install_file "$repo/scripts/pulumi-language-nodejs.js" "$1/pulumi-language-nodejs"
}
install_file() {
  cmp -s "$1" "$2" 2>/dev/null && return 0
  cp "$1" "$2.tmp.$$" && chmod 755 "$2.tmp.$$" && mv "$2.tmp.$$" "$2"
}

version_ok() { # $1 = version string like v3.200.0
  local v=${1#v}
  [ "$(printf '%s\n%s\n' "$min_version" "${v%%-*}" | sort -V | head -n1)" = "$min_version" ]
}

if [ -z "${PULUMI_CLI_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1; then
  found=$(PULUMI_SKIP_UPDATE_CHECK=true pulumi version 2>/dev/null || true)
  if [ -n "$found" ] && version_ok "$found"; then
    note "using pulumi $found from PATH"
    dirname "$(readlink -f "$(command -v pulumi)")"
    exit 0
  fi
  log "pulumi on PATH is ${found:-unusable}; need >= $min_version"
fi

bin="$cache/bin"
cached_ok() { [ -x "$bin/pulumi" ] && [ "$("$bin/pulumi" version 2>/dev/null)" = "v$version" ]; }
use_cache() {
  note "using cached pulumi v$version in $bin"
  install_plugins "$bin"
  echo "$bin"
  exit 0
}
cached_ok && use_cache

command -v go >/dev/null || { log "Go is needed to build the Pulumi CLI (go >= 1.25)"; exit 1; }
mkdir -p "$cache" "$bin"
# One build at a time per cache: a second caller waits, then finds the finished binary.
if command -v flock >/dev/null; then
  exec 9>"$cache/.lock"
  if ! flock -n 9; then
    log "another process is building pulumi v$version in $cache; waiting for it"
    flock 9
  fi
  cached_ok && use_cache
else
  log "flock not found: concurrent builds into $cache are not serialised"
fi

log "building pulumi v$version from Go modules (a cold build takes ~6 minutes on 2 cores)"
src="$cache/src"
# Starting over from an empty wrapper module also clears anything a killed build left behind.
rm -rf "$src" "$bin/pulumi.tmp"
mkdir -p "$src"
cd "$src"
cat > go.mod <<GOMOD
module local.invalid/pulumi-cli

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 v$version
	github.com/pulumi/pulumi/sdk/v3 v$version
)

// pkg/go.mod and sdk/go.mod carry these; replaces only apply in the main module.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
GOMOD
printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' > tools.go
# Keep the caller's GOFLAGS (later flags win); the wrapper module is not a VCS checkout.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod -buildvcs=false" CGO_ENABLED=0
go mod tidy >&2
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$bin/pulumi.tmp" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
# Plugins first, then the binary: a cache hit (a `pulumi` of the right version) is always complete.
install_plugins "$bin"
mv "$bin/pulumi.tmp" "$bin/pulumi"
log "built $("$bin/pulumi" version)"
echo "$bin"
