#!/usr/bin/env bash
# Finds the PostgreSQL server binaries (initdb, pg_ctl, postgres, createdb, psql) for the shared-state-backend
# tests and prints their directory; with --install, installs Debian's `postgresql` package first when none is
# found (what .ci/run does). The tests start their own throw-away server from these binaries, on loopback in a
# temp dir; nothing here starts, configures or touches a system PostgreSQL cluster.
#
#   bash scripts/ensure-postgres.sh             # print the bin dir, or exit 3 saying how to install
#   bash scripts/ensure-postgres.sh --install   # the same, installing first if needed (exit 4 if that fails)
#
# Where it looks, in order: $PG_BIN; /usr/lib/postgresql/<newest>/bin (Debian/Ubuntu); `pg_config --bindir`;
# `postgres` on PATH; the user-space install below.
# How it installs (--install), in order:
#   1. as root: apt-get install postgresql;
#   2. with password-less sudo: sudo apt-get install postgresql;
#   3. otherwise (a CI user without root): the same packages downloaded by apt-get into a private cache and
#      unpacked with dpkg-deb under $HOME/.cache/pulumi-doover/postgresql (no root, nothing outside that
#      directory; the tests add its libraries to LD_LIBRARY_PATH). Needs apt-get and a reachable Debian mirror.
set -euo pipefail
log() { echo "[ensure-postgres] $*" >&2; }
install=0
[ "${1:-}" = "--install" ] && install=1
cache=${POSTGRES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-doover/postgresql}

usable() { [ -n "$1" ] && [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ] && [ -x "$1/psql" ]; }

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    usable "$PG_BIN" && echo "$PG_BIN"
    return
  fi
  local d
  # Newest major version first (15 before 9.6).
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -Vr); do
    if usable "$d"; then
      echo "$d"
      return
    fi
  done
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if usable "$d"; then
      echo "$d"
      return
    fi
  fi
  if command -v postgres >/dev/null 2>&1; then
    d=$(dirname "$(command -v postgres)")
    if usable "$d"; then
      echo "$d"
      return
    fi
  fi
  for d in $(ls -d "$cache"/root/usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k1 -Vr); do
    if [ -f "$cache/.ready" ] && usable "$d"; then
      echo "$d"
      return
    fi
  done
}

bin=$(find_bin || true)
if [ -n "$bin" ]; then
  echo "$bin"
  exit 0
fi
if [ $install -eq 0 ]; then
  log "no PostgreSQL server binaries found (looked in \$PG_BIN, /usr/lib/postgresql/*/bin, pg_config, PATH, $cache)."
  log "install them with: bash scripts/ensure-postgres.sh --install   (Debian's postgresql package; no root needed)"
  exit 3
fi

apt_install() { # $@ = prefix (empty or sudo -n)
  log "installing Debian's postgresql package with ${1:-apt-get as root}"
  export DEBIAN_FRONTEND=noninteractive
  "$@" apt-get update -qq >&2 &&
    "$@" apt-get install -y -qq --no-install-recommends postgresql >&2
}

if [ "$(id -u)" = 0 ]; then
  apt_install || {
    log "apt-get install postgresql failed (see above)"
    exit 4
  }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_install sudo -n || {
    log "sudo apt-get install postgresql failed (see above)"
    exit 4
  }
else
  # No root: let apt-get resolve and download what the system lacks into a private cache (its own package
  # lists and archive dir, no locks on the system's), then unpack the packages under $cache/root.
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    log "no root, and no apt-get/dpkg-deb to fetch Debian's packages: install PostgreSQL (server binaries) and set PG_BIN"
    exit 4
  fi
  mkdir -p "$cache"
  exec 9>"$cache.lock"
  command -v flock >/dev/null && flock 9
  if ! usable "$(find_bin || true)"; then
    log "no root and no password-less sudo: downloading Debian's postgresql packages into $cache (user space)"
    rm -rf "$cache/root" "$cache/.ready"
    mkdir -p "$cache/lists/partial" "$cache/archives/partial" "$cache/root"
    apt=(apt-get -q -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache" -o "Dir::Cache::archives=$cache/archives"
      -o Debug::NoLocking=1)
    # The server and client of the major version Debian's `postgresql` points at, even if the system has them
    # half-installed, plus every dependency the system lacks (apt-get resolves those against dpkg's status).
    fetch() {
      "${apt[@]}" update >&2 || return 1
      local major
      major=$(apt-cache -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache" depends postgresql |
        sed -n 's/^ *Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n1)
      [ -n "$major" ] || return 1
      (cd "$cache/archives" && "${apt[@]}" download "postgresql-$major" "postgresql-client-$major" libpq5 >&2) ||
        return 1
      "${apt[@]}" install -y --download-only --no-install-recommends "postgresql-$major" >&2 ||
        log "apt-get could not resolve every dependency (see above); trying with the system's libraries"
    }
    if ! fetch; then
      log "apt-get could not download postgresql (no Debian mirror reachable?): install PostgreSQL and set PG_BIN"
      exit 4
    fi
    for deb in "$cache"/archives/*.deb; do dpkg-deb -x "$deb" "$cache/root"; done
    touch "$cache/.ready"
  fi
fi

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  log "installed, but still no PostgreSQL server binaries found"
  exit 4
fi
case $bin in "$cache"/root/*) # unpacked packages: their libraries are not on the loader's path
  LD_LIBRARY_PATH=$(printf '%s:' "$cache"/root/usr/lib/*-linux-gnu "$cache/root/usr/lib")${LD_LIBRARY_PATH:-}
  export LD_LIBRARY_PATH
  ;;
esac
if ! version=$("$bin/postgres" --version 2>&1); then
  log "$bin/postgres does not run: $version"
  exit 4
fi
log "PostgreSQL: $version"
echo "$bin"
