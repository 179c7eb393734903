#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback (under /tmp, as a non-root user) and print its URL on stdout.
#   export STORYLINE_TEST_POSTGRES="$(.ci/start-postgres.sh)"
# Idempotent: a cluster already running on the port is reused. Stop it with: .ci/start-postgres.sh stop
set -euo pipefail

PORT="${STORYLINE_PG_PORT:-55432}"
DATA="${STORYLINE_PG_DATA:-/tmp/storyline-pg-$PORT}"
DB=storyline_test
ROLE=storyline

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  "$(dirname "$0")/install-system.sh" >&2
fi
BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"

# The server refuses to run as root: run it as 'postgres' when we are root, else as ourselves.
if [ "$(id -u)" -eq 0 ]; then
  RUN=(runuser -u postgres --)
else
  RUN=()
fi

if [ "${1:-}" = "stop" ]; then
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" stop -m fast >&2 || true
  exit 0
fi

if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
    "${RUN[@]}" "$BIN/initdb" -D "$DATA" -U "$ROLE" -A trust -E UTF8 --locale=C.UTF-8 >&2
  fi
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DATA -c fsync=off -c max_connections=200" start >&2
fi
if ! "${RUN[@]}" "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -tAc \
     "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
  "${RUN[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DB" >&2
fi
echo "postgresql://$ROLE@127.0.0.1:$PORT/$DB"
