#!/usr/bin/env bash
# `npm run pulumi -- <args>`: the project's Pulumi CLI with a local setup. For a project of your own:
# `npm run pulumi -- --cwd <project> <args>`.
#
# Ensures the CLI (scripts/ensure-pulumi.sh), then runs it with a local file
# backend (unless PULUMI_BACKEND_URL or `npm run pulumi -- login <url>` chose
# another) and an isolated PULUMI_HOME inside the repo, Node 22 from
# node_modules first on PATH (the plugins next to `pulumi` run `node`), and no
# update checks or plugin downloads. Every variable can be overridden.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(ENSURE_PULUMI_QUIET=1 bash "$repo/scripts/ensure-pulumi.sh")

# The engine loads plugins from the directory of its own executable. The shared cache holds the Node
# plugins of whichever checkout ran ensure-pulumi.sh last, so run a hard link of the cached CLI from a
# directory of this checkout, next to this checkout's Node plugins (only for our cached build: a
# `pulumi` found on PATH keeps its own plugins).
if grep -qs "A small Node.js language host for the Pulumi CLI" "$bin/pulumi-language-nodejs"; then
  own="$repo/.pulumi-home/bin"
  mkdir -p "$own"
  place() { # $1 = source, $2 = target; atomic, so concurrent runs never see half a file
    cmp -s "$1" "$2" 2>/dev/null && return 0
    cp "$1" "$2.tmp.$$" && chmod 755 "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
  }
  if [ ! "$own/pulumi" -ef "$bin/pulumi" ]; then
    ln -f "$bin/pulumi" "$own/pulumi.tmp.$$" 2>/dev/null || cp "$bin/pulumi" "$own/pulumi.tmp.$$"
    mv -f "$own/pulumi.tmp.$$" "$own/pulumi"
  fi
  place "$repo/scripts/pulumi-resource-pulumi-nodejs" "$own/pulumi-resource-pulumi-nodejs"
  place "$repo/scripts/pulumi-language-nodejs.js" "$own/pulumi-language-nodejs"
  bin=$own
fi

export PATH="$repo/node_modules/.bin:$bin:$PATH"
export PULUMI_HOME=${PULUMI_HOME:-$repo/.pulumi-home}
export PULUMI_SKIP_UPDATE_CHECK=${PULUMI_SKIP_UPDATE_CHECK:-true}
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}
# The backend: PULUMI_BACKEND_URL if set, else the one `npm run pulumi -- login <url>` saved in PULUMI_HOME
# (Pulumi Cloud, s3://…, postgres://…, file://…), else the clone's own folder.
own_backend=0
if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! grep -qs '"current": *"[^"]' "$PULUMI_HOME/credentials.json"; then
  export PULUMI_BACKEND_URL=file://$repo/.pulumi-state
  own_backend=1
fi
# The demo passphrase protects only the clone's own demo state; a backend you chose gets no default (Pulumi
# asks for PULUMI_CONFIG_PASSPHRASE, or the stack uses another secrets provider).
if [ $own_backend = 1 ] && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE=doover-demo
  echo "[pulumi] secrets are encrypted with the demo passphrase \"doover-demo\". Before storing a real token, set" \
    "your own: export PULUMI_CONFIG_PASSPHRASE=<passphrase> (or PULUMI_CONFIG_PASSPHRASE_FILE=<file>)" >&2
fi
case ${PULUMI_BACKEND_URL:-} in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac
mkdir -p "$PULUMI_HOME"
exec "$bin/pulumi" "$@"
