#!/usr/bin/env bash
# scripts/with_servers.sh CMD [ARG...]: runs CMD with real database servers up.
#
# Starts PostgreSQL (scripts/pg_server.sh) and, when scripts/mysql_server.sh
# exists, MariaDB, each in one temporary directory; exports DZ_PG_URL and
# DZ_MYSQL_URL; runs CMD; and always stops the servers and removes the
# directory (trap on EXIT, INT and TERM), even when CMD fails. Exit status:
# CMD's, or 125 when a server fails to start: an error (its script prints the log
# tail), never a silent skip.
#
# Both server scripts share one contract: `start DIR` prints NAME=URL lines
# for eval, `stop DIR` stops the server.
#
# Set DZ_KEEP_SERVERS=1 to leave the temporary directory (logs) after stopping.
set -uo pipefail

if [ $# -eq 0 ]; then echo "usage: $0 CMD [ARG...]" >&2; exit 2; fi
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dz-servers.XXXXXX") || exit 1
chmod 755 "$tmp"   # the postgres user (when root) must enter it
started=""

cleanup() {
  local s
  for s in $started; do bash "$here/${s}_server.sh" stop "$tmp/$s" || true; done
  started=""
  if [ -z "${DZ_KEEP_SERVERS:-}" ]; then rm -rf "$tmp"; else echo "with_servers: kept $tmp" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME: run NAME's script, export the variables it prints.
start() {
  local name=$1 out line
  out=$(bash "$here/${name}_server.sh" start "$tmp/$name") || { started="$started $name"; echo "with_servers: $name server failed to start" >&2; exit 125; }
  started="$started $name"
  while IFS= read -r line; do
    case "$line" in
      DZ_*=*) export "${line?}"; echo "with_servers: ${line%%=*}=${line#*=}" >&2 ;;
    esac
  done <<<"$out"
}

start pg
if [ -f "$here/mysql_server.sh" ]; then start mysql; fi

"$@"
exit $?
