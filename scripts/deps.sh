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
locales
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

# A comma-decimal locale, so spec/json_spec.lua can show the JSON codec does
# not follow the C locale's decimal point (de_DE.UTF-8, generated once).
ensure_locale() {
  if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then return 0; fi
  [ -f /etc/locale.gen ] || return 0
  if [ "$(id -u)" -eq 0 ]; then S=""; elif command -v sudo >/dev/null 2>&1; then S="sudo"; else return 0; fi
  echo "deps: generating the de_DE.UTF-8 locale"
  $S sed -i 's/^# *\(de_DE\.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' | $S tee -a /etc/locale.gen >/dev/null
  $S locale-gen >/dev/null || true
}

if [ -z "$missing" ]; then
  echo "deps: all packages installed"
  ensure_locale
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
ensure_locale
