#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds walpipe in Release, installs it as
# /usr/local/bin/walpipe and runs the main job: a throwaway PostgreSQL 15 cluster archives its
# WAL through `walpipe push` into a local directory under a pgbench write load, then
# `walpipe verify` checks every archived record. Pass a directory to keep the demo elsewhere
# (default /var/tmp/walpipe-demo; it is recreated). PGBENCH_SECONDS sets the load's length.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWALPIPE_BUILD_TESTS=OFF -DWALPIPE_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j "$(nproc)"
install -m 0755 build-release/tools/walpipe /usr/local/bin/walpipe

demo=${1:-/var/tmp/walpipe-demo}
seconds=${PGBENCH_SECONDS:-30}
# shellcheck disable=SC2034  # read by pg_load.sh
readonly PG_HOST=$demo PG_PORT=54329
# shellcheck source=pg_load.sh
source scripts/pg_load.sh

if [[ -d "$demo/data" ]]; then as_pg "$PG_BIN/pg_ctl" -D "$demo/data" -m immediate stop >/dev/null 2>&1 || true; fi
rm -rf "$demo"
mkdir -p "$demo/archive"
chmod 700 "$demo/archive"
chown -R postgres:postgres "$demo"

echo "run: initdb and start PostgreSQL 15 on port $PG_PORT with archive_command = walpipe push"
pg_init "$demo/data" "/usr/local/bin/walpipe push --archive $demo/archive %p" \
  "wal_level = replica
max_wal_size = 1GB"
as_pg "$PG_BIN/pg_ctl" -D "$demo/data" -l "$demo/server.log" -w start >/dev/null
trap 'as_pg "$PG_BIN/pg_ctl" -D "$demo/data" -m fast stop >/dev/null 2>&1 || true' EXIT

echo "run: pgbench load for ${seconds}s"
as_pg "$PG_BIN/pgbench" -h "$demo" -p "$PG_PORT" -U postgres -i -s 20 -q postgres >/dev/null 2>&1
as_pg "$PG_BIN/pgbench" -h "$demo" -p "$PG_PORT" -U postgres -c 4 -j 2 -T "$seconds" postgres |
  grep -E '^(tps|number of transactions actually)' || true
last=$(psql_q "SELECT pg_walfile_name(pg_current_wal_lsn())")
psql_q "SELECT pg_switch_wal()" >/dev/null
for _ in $(seq 1 120); do
  done_wal=$(psql_q "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
  [[ "$done_wal" > "$last" || "$done_wal" == "$last" ]] && break
  sleep 0.5
done
psql_q "SELECT 'archived ' || archived_count || ' files, failed ' || failed_count || ' times, last ' || coalesce(last_archived_wal, '-') FROM pg_stat_archiver"
ready=$(find "$demo/data/pg_wal/archive_status" -name '*.ready' | wc -l)
echo "run: .ready backlog: $ready"

echo "run: walpipe verify --contiguous $demo/archive"
walpipe verify --quiet --contiguous "$demo/archive"
du -sh "$demo/archive/wal" | awk '{print "run: archive size " $1}'
