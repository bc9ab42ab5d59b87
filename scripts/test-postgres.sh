#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: creates a cluster in a temporary directory,
# starts it on 127.0.0.1 on a free port, exports its URL as CEM_TEST_PG_URL, runs the command,
# then stops the server and deletes the directory (also when the command fails or is interrupted).
#
#   bash scripts/test-postgres.sh                       # npm test
#   bash scripts/test-postgres.sh npx vitest run test/adapters/postgres-server.test.ts
#
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql; .ci/run installs them).
# The directory of initdb and pg_ctl is found under /usr/lib/postgresql/<version>/bin, or on the
# PATH, or given as PG_BIN. initdb and pg_ctl refuse to run as root: as root they run as the
# `postgres` user (runuser), which owns the data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -eq 0 ] && set -- npm test

bin="${PG_BIN:-}"
if [ -z "$bin" ]; then
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -z "$bin" ] && command -v initdb >/dev/null 2>&1 && bin="$(dirname "$(command -v initdb)")"
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "test-postgres: initdb and pg_ctl not found (install postgresql, or set PG_BIN)" >&2
  exit 1
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "test-postgres: running as root needs the postgres user" >&2; exit 1; }
  as_owner=(runuser -u postgres --)
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/cem-pg-XXXXXX")"
chmod 755 "$dir"
[ "${#as_owner[@]}" -gt 0 ] && chown postgres: "$dir"
data="$dir/data"
started=""

stop() {
  local status=$?
  if [ -n "$started" ]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
    echo "test-postgres: server stopped" >&2
  fi
  rm -rf "$dir"
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

port="$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"

"${as_owner[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# A throwaway server for tests: loopback only, its socket in the temporary directory, no fsync.
"${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }
started=1
"${as_owner[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres cem_test

export CEM_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/cem_test"
echo "test-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $CEM_TEST_PG_URL (data in $data)" >&2
"$@"
