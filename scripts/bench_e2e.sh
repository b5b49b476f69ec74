#!/usr/bin/env bash
# End to end under load: a PostgreSQL 15 cluster runs pgbench (many clients) for a fixed time
# with each archive_command in turn, and we report the database's TPS, the WAL it generated per
# second, the segments archived per second (pg_stat_archiver) and the .ready backlog at the end:
#   seed      test ! -f DIR/%f && cp %p DIR/%f        (not durable)
#   pgbackrest archive-push, asynchronous, process-max=2, compress-type=zst (when installed)
#   walpipe   walpipe push --archive DIR %p           (durable, verified, look-ahead)
# Usage: scripts/bench_e2e.sh [SECONDS [ORDER]] (default 60 and seed,walpipe,pgbackrest: the
# order in which the commands run, as a comma-separated list). Run as root on an idle machine.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=pg_load.sh
. "$REPO_ROOT/scripts/pg_load.sh"

bench_cluster e2e 54331
seconds=${1:-60}
IFS=, read -r -a order <<<"${2:-seed,walpipe,pgbackrest}"

install_walpipe "$REPO_ROOT"

# run NAME ARCHIVE_COMMAND [SECONDS]: prints one table row.
run() {
  local name=$1 command=$2 duration=${3:-$seconds}
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK" && mkdir -p "$WORK/archive" "$WORK/pgbackrest" && chown -R postgres: "$WORK"
  chmod 700 "$WORK/archive"
  pg_init "$WORK/data" "$command"
  if [[ $name == pgbackrest ]]; then
    cat >"$WORK/pgbackrest/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/archive
spool-path=$WORK/pgbackrest/spool
lock-path=$WORK/pgbackrest/lock
log-path=$WORK/pgbackrest/log
archive-async=y
process-max=2
compress-type=zst
start-fast=y
[bench]
pg1-path=$WORK/data
pg1-port=$PG_PORT
pg1-socket-path=$WORK
CONF
    chown -R postgres: "$WORK/pgbackrest"
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
  if [[ $name == pgbackrest ]]; then
    as_pg pgbackrest --config="$WORK/pgbackrest/pgbackrest.conf" --stanza=bench stanza-create >/dev/null
  fi
  as_pg "$PG_BIN/pgbench" -h "$WORK" -p "$PG_PORT" -U postgres -i -s 20 -q postgres >/dev/null 2>&1
  psql_q "SELECT pg_stat_reset_shared('archiver')" >/dev/null
  local lsn0 archived0 t0 tps
  lsn0=$(psql_q "SELECT pg_current_wal_lsn()")
  archived0=$(psql_q "SELECT archived_count FROM pg_stat_archiver")
  t0=$(date +%s.%N)
  tps=$(pg_load "$duration")
  local t1 wal archived ready failed
  t1=$(date +%s.%N)
  wal=$(psql_q "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0')")
  archived=$(psql_q "SELECT archived_count FROM pg_stat_archiver")
  failed=$(psql_q "SELECT failed_count FROM pg_stat_archiver")
  ready=$(find "$WORK/data/pg_wal/archive_status" -name '*.ready' | wc -l)
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null
  local elapsed
  elapsed=$(echo "$t1 - $t0" | bc -l)
  printf '| %s | %.0f | %.1f | %.2f | %s | %s |\n' "$name" "$tps" \
    "$(echo "$wal / 1048576 / $elapsed" | bc -l)" \
    "$(echo "($archived - $archived0) / $elapsed" | bc -l)" "$ready" "$failed"
}

{
  echo "# End to end: pgbench under each archive_command"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- PostgreSQL 15, pgbench scale 20, 16 clients, -N, plus a bulk INSERT loop, ${seconds}s,"
  echo "  synchronous_commit=off, 16 MiB segments; in this order: ${order[*]}"
  echo
  echo "| archive_command | TPS | WAL MiB/s | segments archived/s | .ready at the end | failures |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  # This host hands free memory back to its hypervisor, and whichever command runs first pays for
  # faulting it in again (in four runs the last command had the highest TPS three times, the
  # first never): an unreported run warms the machine up first.
  note "warm-up (not reported)"
  run warmup true 30 >/dev/null
  for name in "${order[@]}"; do
    note "$name"
    case $name in
      seed) run seed "test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f" ;;
      walpipe) run walpipe "/usr/local/bin/walpipe push --archive $WORK/archive %p" ;;
      pgbackrest)
        if command -v pgbackrest >/dev/null; then
          run pgbackrest "pgbackrest --config=$WORK/pgbackrest/pgbackrest.conf --stanza=bench archive-push %p"
        fi ;;
      *) echo "bench_e2e: error: unknown command \"$name\" (seed, walpipe, pgbackrest)" >&2; exit 2 ;;
    esac
  done
} | tee "$RESULTS"
