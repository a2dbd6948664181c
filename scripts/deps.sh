#!/bin/sh
# Installs the Debian packages drizzle-c needs, only those missing.
#   scripts/deps.sh [extra-package ...]      (also: DZ_EXTRA_PACKAGES="a b")
# To add a package for everyone, append it to PACKAGES below.
set -eu

PACKAGES="
build-essential
pkg-config
lua5.4 liblua5.4-dev
lua5.1 liblua5.1-0-dev
luajit libluajit-5.1-dev
luarocks
lua-busted
lua-argparse
lua-socket
libsqlite3-dev sqlite3
valgrind

postgresql-15 postgresql-15-postgis-3 libpq-dev
mariadb-server mariadb-client libmariadb-dev
clang libclang-rt-14-dev
"
PACKAGES="$PACKAGES ${DZ_EXTRA_PACKAGES:-} $*"

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "deps: dpkg-query not found (not Debian?); install by hand: $PACKAGES" >&2
  exit 1
fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "deps: all packages installed"
  exit 0
fi

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "deps: not root and no sudo; install by hand:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
