# shellcheck shell=bash
# Sourced by the scripts that run a throwaway PostgreSQL 15 cluster (run.sh, bench_e2e.sh,
# bench_recovery.sh): a cluster reached through a socket folder, and the heaviest WAL this
# 2-core machine makes. The caller sets PG_HOST (socket folder) and PG_PORT.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PG_BIN=/usr/lib/postgresql/15/bin

# install_walpipe SRC_DIR: a Release build of walpipe in SRC_DIR/build-bench, installed where
# PostgreSQL's archive_command and restore_command find it.
install_walpipe() {
  cmake -S "$1" -B "$1/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DWALPIPE_BUILD_TESTS=OFF -DWALPIPE_BUILD_BENCH=ON >/dev/null
  cmake --build "$1/build-bench" --target walpipe >/dev/null
  install -m 0755 "$1/build-bench/tools/walpipe" /usr/local/bin/walpipe
}

psql_q() { as_pg psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc "$1"; }

# The settings of a cluster under benchmark load: it checkpoints rarely, so that the load
# writes WAL rather than data pages.
readonly PG_LOAD_SETTINGS="max_wal_size = 4GB
checkpoint_timeout = 30min
synchronous_commit = off"

# pg_init DATA ARCHIVE_COMMAND [SETTINGS]: a new cluster in DATA that archives with
# ARCHIVE_COMMAND, with SETTINGS (postgresql.conf lines; default PG_LOAD_SETTINGS) added.
pg_init() {
  local data=$1 command=$2 settings=${3:-$PG_LOAD_SETTINGS}
  as_pg "$PG_BIN/initdb" -D "$data" -A trust -U postgres >/dev/null
  cat >>"$data/postgresql.conf" <<CONF
port = $PG_PORT
listen_addresses = ''
unix_socket_directories = '$PG_HOST'
archive_mode = on
archive_command = '$command'
$settings
CONF
}

# pg_load SECONDS: pgbench -N with 16 clients beside a loop of bulk INSERTs into table bulk
# (created here), for SECONDS; prints pgbench's TPS. An INSERT cut off by the end is ended
# too, so that what the table holds afterwards is final.
pg_load() {
  local seconds=$1 bulk tps
  psql_q "CREATE TABLE bulk (id int, pad text)" >/dev/null
  as_pg timeout "$seconds" sh -c "while psql -h $PG_HOST -p $PG_PORT -U postgres -d postgres -qc \
    \"INSERT INTO bulk SELECT g, repeat('x', 200) FROM generate_series(1, 200000) g\" \
    >/dev/null 2>&1; do :; done" &
  bulk=$!
  tps=$(as_pg "$PG_BIN/pgbench" -h "$PG_HOST" -p "$PG_PORT" -U postgres -c 16 -j 2 \
    -T "$seconds" -N postgres 2>/dev/null | awk '/^tps =/ {print $3}')
  wait "$bulk" || true
  psql_q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" >/dev/null
  while [[ $(psql_q "SELECT count(*) FROM pg_stat_activity
                     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()") != 0 ]]; do
    sleep 0.1
  done
  echo "$tps"
}
