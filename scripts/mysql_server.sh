#!/usr/bin/env bash
# A throwaway MariaDB server for the tests and benchmarks, all of its files
# in one directory.
#
#   scripts/mysql_server.sh start DIR   install + start; prints one line
#                                       DZ_MYSQL_URL=mysql://drizzle:drizzle-pw@127.0.0.1:PORT/drizzle
#   scripts/mysql_server.sh stop DIR    stop it (safe to call twice, or without a start)
#
# Used as:  eval "$(scripts/mysql_server.sh start "$tmp")"; ...; scripts/mysql_server.sh stop "$tmp"
#
# What it does, and why:
#   - Debian's mariadb-install-db + mariadbd (packages mariadb-server and
#     mariadb-client, from scripts/deps.sh), always with --no-defaults so
#     nothing of /etc/mysql (or a ~/.my.cnf) leaks in: the data directory,
#     socket, pid file, tmpdir and error log are all under DIR.
#   - As root, mariadbd refuses to start unless told --user=root; as anyone
#     else it runs as that user. Either way nothing needs chown.
#   - Listens on 127.0.0.1 on a free port (picked at random, probed, and
#     retried if the bind still loses a race) and on DIR/mysqld.sock.
#   - Fast and small: skip-name-resolve, a 32 MB buffer pool, no fsync per
#     commit (innodb_flush_log_at_trx_commit=2), no binary log, no
#     performance schema. Data is thrown away at stop.
#   - Creates database `drizzle` and user drizzle/drizzle-pw with all
#     privileges on every database (the mysqlSchema specs create others;
#     it is a private test server). Root has no password and is reachable
#     through the socket only.
#   - Only stdout's last line is for eval; progress goes to stderr. On any
#     failure it prints the tail of DIR/error.log and exits non-zero.
set -euo pipefail

USER_NAME=drizzle
USER_PASS=drizzle-pw
DB_NAME=drizzle

die(){
  echo "mysql_server.sh: $*" >&2
  if [ -n "${DIR:-}" ] && [ -f "$DIR/error.log" ]; then
    echo "---- tail of $DIR/error.log ----" >&2
    tail -n 30 "$DIR/error.log" >&2
  fi
  exit 1
}

# Debian installs the server in /usr/sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
find_bin(){  # first of the names that exists
  local n
  for n in "$@"; do command -v "$n" >/dev/null 2>&1 && { command -v "$n"; return 0; }; done
  return 1
}

pid_alive(){ [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

port_in_use(){  # something already accepts on 127.0.0.1:$1?
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

client(){  # mariadb client as root over the socket, no config files
  "$CLIENT" --no-defaults --protocol=socket --socket="$DIR/mysqld.sock" -uroot "$@"
}

start(){
  local install server admin port tries pid user_opt=()
  install=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found (run scripts/deps.sh: mariadb-server)"
  server=$(find_bin mariadbd mysqld) || die "mariadbd not found (run scripts/deps.sh: mariadb-server)"
  CLIENT=$(find_bin mariadb mysql) || die "mariadb client not found (run scripts/deps.sh: mariadb-client)"
  admin=$(find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found"

  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  if [ -f "$DIR/mysqld.pid" ] && pid_alive "$(cat "$DIR/mysqld.pid")"; then
    die "a server is already running in $DIR (pid $(cat "$DIR/mysqld.pid"))"
  fi
  # A unix socket path is limited to 107 bytes.
  [ ${#DIR} -le 90 ] || die "directory path too long for a unix socket: $DIR"
  rm -rf "$DIR/data" "$DIR/tmp"
  mkdir -p "$DIR/tmp"
  : > "$DIR/error.log"

  if [ "$(id -u)" -eq 0 ]; then user_opt=(--user=root); fi

  echo "mysql_server.sh: installing system tables in $DIR/data" >&2
  "$install" --no-defaults "${user_opt[@]}" --datadir="$DIR/data" \
      --auth-root-authentication-method=normal --skip-test-db \
      --skip-name-resolve >>"$DIR/error.log" 2>&1 \
    || die "mariadb-install-db failed"

  for tries in 1 2 3 4 5; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_in_use "$port" && continue
    echo "mysql_server.sh: starting mariadbd on 127.0.0.1:$port" >&2
    # setsid + nohup: the server must not die with the shell that started it,
    # nor get the terminal's signals (the test command stops it explicitly).
    setsid nohup "$server" --no-defaults "${user_opt[@]}" \
        --datadir="$DIR/data" --tmpdir="$DIR/tmp" \
        --socket="$DIR/mysqld.sock" --pid-file="$DIR/mysqld.pid" \
        --log-error="$DIR/error.log" \
        --bind-address=127.0.0.1 --port="$port" \
        --skip-name-resolve --skip-log-bin --performance-schema=OFF \
        --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
        --innodb-flush-log-at-trx-commit=2 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        --max-allowed-packet=64M \
        </dev/null >>"$DIR/error.log" 2>&1 &
    pid=$!
    echo "$pid" > "$DIR/server.pid"
    # Up to ~60 s: a first start on a slow disk creates the redo log.
    local i
    for i in $(seq 1 600); do
      if "$admin" --no-defaults --protocol=socket --socket="$DIR/mysqld.sock" -uroot \
           --connect-timeout=1 ping >/dev/null 2>&1; then
        break
      fi
      pid_alive "$pid" || break
      sleep 0.1
    done
    if pid_alive "$pid" && "$admin" --no-defaults --protocol=socket --socket="$DIR/mysqld.sock" \
         -uroot ping >/dev/null 2>&1; then
      break
    fi
    if ! pid_alive "$pid" && grep -q -i "address already in use" "$DIR/error.log"; then
      echo "mysql_server.sh: port $port was taken, retrying" >&2
      continue
    fi
    stop_server
    die "mariadbd did not start"
  done
  pid_alive "$(cat "$DIR/server.pid" 2>/dev/null)" || die "could not find a free port"

  client -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4;
             CREATE USER '$USER_NAME'@'%' IDENTIFIED BY '$USER_PASS';
             CREATE USER '$USER_NAME'@'localhost' IDENTIFIED BY '$USER_PASS';
             GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'%';
             GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'localhost';" >>"$DIR/error.log" 2>&1 \
    || { stop_server; die "creating database and user failed"; }

  echo "$port" > "$DIR/port"
  echo "DZ_MYSQL_URL=mysql://$USER_NAME:$USER_PASS@127.0.0.1:$port/$DB_NAME"
}

# Ask the server to shut down; if it will not within ~30 s, kill it.
stop_server(){
  local pid admin i
  pid=$(cat "$DIR/server.pid" 2>/dev/null || cat "$DIR/mysqld.pid" 2>/dev/null || true)
  pid_alive "$pid" || { rm -f "$DIR/server.pid"; return 0; }
  admin=$(find_bin mariadb-admin mysqladmin || true)
  if [ -n "$admin" ]; then
    "$admin" --no-defaults --protocol=socket --socket="$DIR/mysqld.sock" -uroot \
      --connect-timeout=2 shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for i in $(seq 1 300); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid"; then
    echo "mysql_server.sh: server $pid did not stop; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/server.pid"
}

cmd=${1:-}; DIR=${2:-}
[ -n "$cmd" ] && [ -n "$DIR" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
case "$cmd" in
  start) start ;;
  stop)  [ -d "$DIR" ] || exit 0; DIR=$(cd "$DIR" && pwd); stop_server ;;
  *)     echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
