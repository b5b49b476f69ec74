# shellcheck shell=bash
# Sourced by the scripts that run a throwaway PostgreSQL 15 cluster (run.sh, bench_e2e.sh,
# bench_recovery.sh, bench_drill.sh, bench_s3.sh): a cluster reached through a socket folder, the heaviest WAL
# this 2-core machine makes, and its replay. The caller sets PG_HOST (socket folder) and PG_PORT,
# or bench_cluster does.
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

# bench_cluster NAME PORT: what a benchmark of a throwaway cluster does first: the packages it
# needs (setup.sh bench), then WORK (its folder under WALPIPE_BENCH_DIR, which is also the
# cluster's socket folder: PG_HOST), PG_PORT and RESULTS (bench/results/NAME.md).
bench_cluster() {
  bash "$REPO_ROOT/scripts/setup.sh" bench >&2
  readonly WORK=${WALPIPE_BENCH_DIR:-/var/tmp/walpipe-bench}/$1
  readonly PG_HOST=$WORK PG_PORT=$2
  # shellcheck disable=SC2034  # read by the benchmark
  readonly RESULTS=$REPO_ROOT/bench/results/$1.md
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

# pg_stop_all DIR: the servers of DIR/data and DIR/replay stopped at once, where they run; for
# an EXIT trap, so that a failed benchmark leaves no server behind.
pg_stop_all() {
  local d
  for d in "$1"/data "$1"/replay; do
    if [[ -d $d ]]; then as_pg "$PG_BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true; fi
  done
}

# loaded_primary DIR SECONDS ARCHIVE_COMMAND SCALE: a primary in DIR/data (a socket folder
# PG_HOST) with pgbench tables of SCALE, archiving with ARCHIVE_COMMAND, under pg_load for
# SECONDS after its base backup DIR/base was taken with no WAL of its own (-X none), so that every
# byte is replayed from the archive; stopped once every segment is archived. Sets REPLAY_ROWS
# (rows the load left in bulk).
loaded_primary() {
  local dir=$1 seconds=$2 command=$3 scale=$4 ready
  pg_init "$dir/data" "$command"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/primary.log" -w start >/dev/null
  as_pg "$PG_BIN/pgbench" -h "$PG_HOST" -p "$PG_PORT" -U postgres -i -s "$scale" -q postgres >/dev/null 2>&1
  as_pg "$PG_BIN/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U postgres -D "$dir/base" -X none -c fast
  pg_load "$seconds" >/dev/null
  REPLAY_ROWS=$(psql_q "SELECT count(*) FROM bulk")
  psql_q "SELECT pg_switch_wal()" >/dev/null
  # A fast shutdown lets the archiver finish the last segments.
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  ready=$(find "$dir/data/pg_wal/archive_status" -name '*.ready' | wc -l)
  ((ready == 0)) || die "$ready segments were not archived"
}

# replay_wal_make DIR SECONDS: the WAL a recovery benchmark replays: loaded_primary archiving raw
# segments into DIR/raw with the seed command. Sets REPLAY_ROWS, REPLAY_START (the backup's
# first segment) and REPLAY_SEGMENTS (every archived segment, oldest first). DIR/raw must
# exist, owned by postgres.
replay_wal_make() {
  local dir=$1 seconds=$2
  loaded_primary "$dir" "$seconds" "test ! -f $dir/raw/%f && cp %p $dir/raw/%f" 20
  # shellcheck disable=SC2034  # read by the caller
  mapfile -t REPLAY_SEGMENTS < <(find "$dir/raw" -maxdepth 1 -type f -regextype posix-extended \
    -regex '.*/[0-9A-F]{24}' -printf '%f\n' | sort)
  REPLAY_START=$(sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]\{24\}\))$/\1/p' "$dir/base/backup_label")
  [[ -n $REPLAY_START ]] || die "no start segment in the base backup's backup_label"
}

# replay_seconds DIR NAME RESTORE_COMMAND [PREPARE...]: a copy of DIR/base recovers in
# DIR/replay with RESTORE_COMMAND until the archive has nothing more, then promotes; prints the
# seconds from server start until it accepts writes, and dies unless bulk holds REPLAY_ROWS rows.
# PREPARE (a command: dropping or filling the page cache) runs last before the clock starts.
replay_seconds() {
  local dir=$1 name=$2 command=$3
  shift 3
  rm -rf "$dir/replay" "$dir/replay-spool"
  cp -a "$dir/base" "$dir/replay"
  cat >>"$dir/replay/postgresql.conf" <<CONF
archive_mode = off
restore_command = '$command'
recovery_target_action = 'promote'
CONF
  touch "$dir/replay/recovery.signal"
  chown -R postgres: "$dir/replay"
  sync
  if (($#)); then "$@"; fi
  local t0
  t0=$(date +%s.%N)
  replay_promoted "$dir" "$dir/replay-$name.log" "$name"
  echo "$PROMOTED_AT - $t0" | bc -l
}

# replay_promoted DIR LOG NAME: starts the server of DIR/replay, its recovery set up, logging to
# LOG; sets PROMOTED_AT (date +%s.%N) once recovery has ended, then stops it. Dies, naming the
# NAME replay, unless bulk holds REPLAY_ROWS rows: a replay that lost WAL must not be timed.
replay_promoted() {
  local dir=$1 log=$2 name=$3 got from ready="database system is ready to accept connections"
  from=$(($(stat -c %s "$log" 2>/dev/null || echo 0) + 1))
  as_pg "$PG_BIN/pg_ctl" -D "$dir/replay" -l "$log" start >/dev/null
  # The server's log says when recovery has ended. Asking the server instead (psql as postgres
  # every 50 ms) cost about 70 ms of CPU a time: most of one of this machine's two cores, taken
  # from the replay being timed. grep -c reads to the end, so tail never dies of SIGPIPE.
  until [[ $(tail -c "+$from" "$log" | grep -c "$ready") != 0 ]]; do
    sleep 0.02
  done
  PROMOTED_AT=$(date +%s.%N)
  [[ $(psql_q "SELECT NOT pg_is_in_recovery()") == t ]] ||
    die "$name replay: the server said it was ready but is still in recovery"
  got=$(psql_q "SELECT count(*) FROM bulk")
  [[ $got == "$REPLAY_ROWS" ]] || die "$name replay has $got rows of bulk, the primary had $REPLAY_ROWS"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/replay" -m immediate stop >/dev/null
}
