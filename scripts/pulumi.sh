#!/usr/bin/env bash
# `npm run pulumi -- <args>`: the project's Pulumi CLI with a local setup.
#
# Ensures the CLI (scripts/ensure-pulumi.sh), then runs it with a local file
# backend and an isolated PULUMI_HOME inside the repo, Node 22 from
# node_modules first on PATH (the plugins next to `pulumi` run `node`), and no
# update checks or plugin downloads. Every variable can be overridden.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(ENSURE_PULUMI_QUIET=1 bash "$repo/scripts/ensure-pulumi.sh")

export PATH="$repo/node_modules/.bin:$bin:$PATH"
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$repo/.pulumi-state}
export PULUMI_HOME=${PULUMI_HOME:-$repo/.pulumi-home}
export PULUMI_SKIP_UPDATE_CHECK=${PULUMI_SKIP_UPDATE_CHECK:-true}
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}
# The demo passphrase protects only local demo state; set your own for anything real.
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE=doover-demo
  echo "[pulumi] using the demo passphrase; set PULUMI_CONFIG_PASSPHRASE for stacks that hold real tokens" >&2
fi
case $PULUMI_BACKEND_URL in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac
mkdir -p "$PULUMI_HOME"
exec "$bin/pulumi" "$@"
