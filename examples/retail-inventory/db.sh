#!/usr/bin/env bash
# A private PostgreSQL for the retail walkthrough: its own data directory and a loopback port, so it never
# touches a system cluster. Usage:
#
#   ./db.sh start [--fresh]   install PostgreSQL if missing (root/CI only), initdb once, start, create the schema
#   ./db.sh psql [ARGS...]    psql connected to the example's database
#   ./db.sh url               the connection URL (what sink.mjs uses)
#   ./db.sh stop              stop the private server
#   ./db.sh status
#
# Settings (environment):
#   RETAIL_STATE_DIR     where the data directory, socket and log live   (default: ${TMPDIR:-/tmp}/kafkit-retail)
#   RETAIL_PG_PORT       the loopback port                                (default: 54329)
#   RETAIL_DATABASE_URL  use this existing database instead of starting one (start then only creates the schema)
#   PG_BIN               the directory holding initdb, pg_ctl and postgres (default: found on PATH or under
#                        /usr/lib/postgresql/<newest>/bin)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
STATE="${RETAIL_STATE_DIR:-${TMPDIR:-/tmp}/kafkit-retail}"
PORT="${RETAIL_PG_PORT:-54329}"
DATA="$STATE/pg/data"
SOCK="$STATE/pg/run"
LOG="$STATE/pg/server.log"
DB=retail

say() { echo "db: $*" >&2; }
die() { echo "db: error: $1" >&2; [ -n "${2:-}" ] && echo "hint: $2" >&2; exit 1; }

url() {
  if [ -n "${RETAIL_DATABASE_URL:-}" ]; then echo "$RETAIL_DATABASE_URL"; else echo "postgresql://postgres@127.0.0.1:$PORT/$DB"; fi
}

# The server binaries: PG_BIN, then PATH, then Debian's versioned directory (newest first).
find_bin() {
  if [ -n "${PG_BIN:-}" ]; then [ -x "$PG_BIN/initdb" ] && echo "$PG_BIN"; return; fi
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  return 1
}

install_pg() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "PostgreSQL is not installed; installing Debian's postgresql package (apt-get install -y postgresql)"
    # Debian's package creates and starts a 'main' cluster on 5432; we leave it alone and use our own.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
  else
    die "the walkthrough needs the PostgreSQL server binaries (initdb, pg_ctl, postgres) and psql" \
      "install them (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@16), or set PG_BIN=/path/to/bin, or RETAIL_DATABASE_URL=postgresql://... for an existing database"
  fi
}

# Runs a server command as the owner of the data directory: PostgreSQL refuses to run as root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root, but there is no 'postgres' user to run the server as" "install Debian's postgresql package (it creates the user) or run as a normal user"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

psql_bin() {
  local bin
  if bin="$(find_bin 2>/dev/null)" && [ -x "$bin/psql" ]; then echo "$bin/psql"; return; fi
  command -v psql >/dev/null 2>&1 && { command -v psql; return; }
  die "psql not found" "install PostgreSQL's client (Debian: apt-get install postgresql-client)"
}

running() {
  local bin; bin="$(find_bin 2>/dev/null)" || return 1
  [ -f "$DATA/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  local fresh=0
  [ "${1:-}" = "--fresh" ] && fresh=1
  local psql
  export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
  if [ -z "${RETAIL_DATABASE_URL:-}" ]; then
    local bin
    if [ -n "${PG_BIN:-}" ] && [ ! -x "$PG_BIN/initdb" ]; then die "PG_BIN=$PG_BIN has no initdb" "point PG_BIN at PostgreSQL's bin directory, e.g. /usr/lib/postgresql/15/bin"; fi
    bin="$(find_bin)" || { install_pg; bin="$(find_bin)" || die "PostgreSQL was installed but initdb is still not found" "set PG_BIN=/usr/lib/postgresql/<version>/bin"; }
    mkdir -p "$STATE/pg"
    if [ "$(id -u)" = 0 ]; then chown postgres "$STATE/pg"; chmod 0755 "$STATE" "$STATE/pg" 2>/dev/null || true; fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
      say "initdb $DATA"
      as_owner "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$STATE/pg/initdb.log" 2>&1 \
        || as_owner "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$STATE/pg/initdb.log" 2>&1 \
        || die "initdb failed: $(tail -3 "$STATE/pg/initdb.log")" "see $STATE/pg/initdb.log"
    fi
    as_owner mkdir -p "$SOCK"
    if running; then
      say "PostgreSQL already running ($DATA)"
    else
      say "starting PostgreSQL on 127.0.0.1:$PORT ($DATA)"
      as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null \
        || die "PostgreSQL did not start: $(tail -3 "$LOG" 2>/dev/null)" "is port $PORT free? set RETAIL_PG_PORT; the log is $LOG"
    fi
    psql="$(psql_bin)"
    if [ "$fresh" = 1 ]; then
      "$psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
    fi
    if [ -z "$("$psql" -X -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
      "$psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE $DB" >/dev/null
    fi
  else
    psql="$(psql_bin)"
    if [ "$fresh" = 1 ]; then
      "$psql" -X -q "$(url)" -v ON_ERROR_STOP=1 -c "DROP VIEW IF EXISTS stock_levels_connect; DROP TABLE IF EXISTS stock_levels, applied_records, inventory_events" >/dev/null
    fi
  fi
  "$psql" -X -q "$(url)" -v ON_ERROR_STOP=1 -f "$HERE/schema.sql" >/dev/null || die "could not create the schema in $(url)"
  say "ready: $(url)"
}

stop() {
  [ -n "${RETAIL_DATABASE_URL:-}" ] && { say "RETAIL_DATABASE_URL is set: nothing of ours to stop"; return; }
  local bin; bin="$(find_bin 2>/dev/null)" || { say "PostgreSQL is not installed"; return; }
  if running; then as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null && say "stopped"; else say "not running"; fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) if running; then echo "running: $(url) ($DATA)"; else echo "not running ($DATA)"; exit 1; fi ;;
  url) url ;;
  psql) shift; exec "$(psql_bin)" -X -P pager=off "$(url)" "$@" ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
