#!/usr/bin/env bash
# Starts (once) a throwaway PostgreSQL cluster for the PostgreSQL tests and prints the export line
# for TRTCOMPAT_TEST_PG_URL. Idempotent: a cluster already answering on the port is reused.
# Use: eval "$(scripts/test-postgres.sh)"   (scripts/test-all.sh does this itself)
# The cluster listens on 127.0.0.1 only, runs with fsync off (test data is disposable) and its
# user may create databases, so each test gets a fresh database of its own.
set -euo pipefail

port="${TRTCOMPAT_TEST_PG_PORT:-55432}"
dir="${TRTCOMPAT_TEST_PG_DIR:-/var/tmp/trt-compat-test-pg}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$bin" ] || { echo "test-postgres: no PostgreSQL under /usr/lib/postgresql; apt-get install postgresql" >&2; exit 1; }

# initdb refuses to run as root: as root, run the server as the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    pwfile="$(dirname "$dir")/trt-compat-test-pg-pw"
    echo postgres >"$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$pwfile" >"$dir/../trt-compat-test-pg-initdb.log" 2>&1 \
      || { echo "test-postgres: initdb failed; see $dir/../trt-compat-test-pg-initdb.log" >&2; exit 1; }
  fi
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c max_connections=200 -c autovacuum=off" start >/dev/null \
    || { echo "test-postgres: PostgreSQL did not start; see $dir/server.log" >&2; exit 1; }
fi

psql_pg() { as_pg "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql_pg -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'trtcompat'")" != 1 ]; then
  psql_pg -c "CREATE ROLE trtcompat LOGIN CREATEDB PASSWORD 'trtcompat'"
fi
if [ "$(psql_pg -tAc "SELECT 1 FROM pg_database WHERE datname = 'trtcompat_test'")" != 1 ]; then
  psql_pg -c "CREATE DATABASE trtcompat_test OWNER trtcompat"
fi

echo "export TRTCOMPAT_TEST_PG_URL='jdbc:postgresql://127.0.0.1:$port/trtcompat_test?user=trtcompat&password=trtcompat'"
