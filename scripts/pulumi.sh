#!/usr/bin/env bash
# `npm run pulumi -- <args>`: the project's Pulumi CLI with a local setup. For a project of your own:
# `npm run pulumi -- --cwd <project> <args>`.
#
# Ensures the CLI (scripts/ensure-pulumi.sh), then runs it with an isolated
# PULUMI_HOME inside the repo (plugins, workspaces), Node 22 from node_modules
# first on PATH (the plugins next to `pulumi` run `node`), and no update checks
# or plugin downloads. Every variable can be overridden.
#
# Where stacks live, in the order your own `pulumi` would pick it: PULUMI_BACKEND_URL;
# else the project's Pulumi.yaml `backend: url:`; else the backend you logged in to
# (`pulumi login <url>` or `npm run pulumi -- login <url>`: both keep it in
# ~/.pulumi/credentials.json, or under your own PULUMI_HOME); else this clone's
# .pulumi-state/, which goes when the clone goes (a note on stderr says so).
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
# Logins are the user's, not the clone's: the same credentials file as their own `pulumi`.
export PULUMI_CREDENTIALS_PATH=${PULUMI_CREDENTIALS_PATH:-${PULUMI_HOME:-$HOME/.pulumi}}
export PULUMI_HOME=${PULUMI_HOME:-$repo/.pulumi-home}

project_dir=$PWD # the program directory: `--cwd <dir>` / `-C <dir>` / `--cwd=<dir>` when given
logging_in= # `login`/`logout` choose the backend themselves
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
  --cwd | -C) project_dir=${args[i + 1]:-$project_dir} ;;
  --cwd=*) project_dir=${args[i]#--cwd=} ;;
  login | logout) logging_in=1 ;;
  esac
done
project_backend() { # the program's Pulumi.yaml names a backend (`backend:` then an indented `url:`)
  local f
  for f in "$project_dir/Pulumi.yaml" "$project_dir/Pulumi.yml"; do
    [ -f "$f" ] && awk '/^backend:/ { b = 1; next } /^[^[:space:]#]/ { b = 0 } b && /^[[:space:]]+url:/ { found = 1 }
      END { exit !found }' "$f" && return 0
  done
  return 1
}
logged_in() { grep -qs '"current": *"[^"]' "$PULUMI_CREDENTIALS_PATH/credentials.json"; }
own_backend= # the clone's own folder (the only backend that gets the demo passphrase below)
if [ -z "${PULUMI_BACKEND_URL:-}" ] && [ -z "$logging_in" ] && ! project_backend && ! logged_in; then
  export PULUMI_BACKEND_URL=file://$repo/.pulumi-state
  own_backend=1
  echo "[pulumi] stacks are kept in $repo/.pulumi-state: deleting this clone deletes them. To keep them" \
    "elsewhere: pulumi login <url> (npm run pulumi -- login <url>) or PULUMI_BACKEND_URL; see docs/teams.md" >&2
fi
export PULUMI_SKIP_UPDATE_CHECK=${PULUMI_SKIP_UPDATE_CHECK:-true}
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}
# The demo passphrase protects only the clone's own demo state; set your own for anything real. A backend you
# chose (a team's PostgreSQL, S3, Pulumi Cloud) gets no default: Pulumi asks for PULUMI_CONFIG_PASSPHRASE, or the
# stack uses its own secrets provider.
if [ -n "$own_backend" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE=doover-demo
  echo "[pulumi] secrets are encrypted with the demo passphrase \"doover-demo\". Before storing a real token, set" \
    "your own: export PULUMI_CONFIG_PASSPHRASE=<passphrase> (or PULUMI_CONFIG_PASSPHRASE_FILE=<file>)" >&2
fi
case ${PULUMI_BACKEND_URL:-} in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac
mkdir -p "$PULUMI_HOME"
exec "$bin/pulumi" "$@"
