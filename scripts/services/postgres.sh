#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the odibi-connector-postgres tests and benchmark.
#   scripts/services/postgres.sh start   initdb + postgres on a free port of 127.0.0.1, with
#                                        scram-sha-256 password authentication (the tests need
#                                        a server that really checks passwords), a role `odibi`
#                                        and a database `odibi_test`; appends ODIBI_TEST_PG_DSN
#                                        to .services/env
#   scripts/services/postgres.sh stop    stops the server started here and removes its folder
# The server binaries come from /usr/lib/postgresql/*/bin (installed with apt-get when absent).
# initdb and postgres refuse to run as root, so they run as the `postgres` OS user. The cluster
# trades durability for speed (fsync off): it holds test data only.
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVICE_DIR=.services/postgres
PASSWORD="odibi-test-password"
ROLE=odibi
DATABASE=odibi_test

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  [ -f "$SERVICE_DIR/pid" ] && kill -0 "$(cat "$SERVICE_DIR/pid")" 2>/dev/null
}

write_env() {
  local port
  port="$(cat "$SERVICE_DIR/port")"
  sed -i '/^ODIBI_TEST_PG_DSN=/d' .services/env
  echo "ODIBI_TEST_PG_DSN=postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE" >> .services/env
}

start() {
  mkdir -p .services
  touch .services/env
  if running; then
    echo "postgres: reusing the server started earlier (pid $(cat "$SERVICE_DIR/pid"))"
    write_env
    return 0
  fi
  rm -rf "$SERVICE_DIR"
  local bindir
  if ! bindir="$(find_bindir)"; then
    echo "postgres: no server binaries found; installing them with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir="$(find_bindir)"
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
  fi
  mkdir -p "$SERVICE_DIR"
  local root
  root="$(cd "$SERVICE_DIR" && pwd)"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$root"; fi
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  echo "$port" > "$SERVICE_DIR/port"
  printf '%s\n' "$PASSWORD" > "$SERVICE_DIR/pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$SERVICE_DIR/pwfile"; fi

  as_postgres "$bindir/initdb" -D "$root/data" -U postgres --pwfile="$root/pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 \
    || { cat "$root/initdb.log" >&2; exit 1; }
  rm -f "$root/pwfile"

  as_postgres "$bindir/pg_ctl" start -D "$root/data" -l "$root/server.log" -w -t 60 -o \
    "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    >/dev/null || { cat "$root/server.log" >&2; exit 1; }
  head -n 1 "$root/data/postmaster.pid" > "$SERVICE_DIR/pid"
  echo "$bindir" > "$SERVICE_DIR/bindir"

  PGPASSWORD="$PASSWORD" "$bindir/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" \
    -c "CREATE DATABASE $DATABASE OWNER $ROLE" >/dev/null
  write_env
  echo "postgres: throwaway server on 127.0.0.1:$port (pid $(cat "$SERVICE_DIR/pid"))"
}

stop() {
  if running; then
    local pid root
    pid="$(cat "$SERVICE_DIR/pid")"
    root="$(cd "$SERVICE_DIR" && pwd)"
    as_postgres "$(cat "$SERVICE_DIR/bindir")/pg_ctl" stop -D "$root/data" -m fast -w -t 60 >/dev/null \
      || kill -INT "$pid"
    echo "postgres: stopped the server (pid $pid)"
  fi
  rm -rf "$SERVICE_DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/services/postgres.sh start|stop" >&2; exit 2 ;;
esac
