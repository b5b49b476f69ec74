#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds walpipe's Debian package in Release,
# installs it with apt (/usr/bin/walpipe) and runs the main job: a throwaway PostgreSQL 15 cluster
# archives its WAL through `walpipe push` into a local folder under a pgbench write load, then
# `walpipe verify` checks every archived record. The server is stopped at the end.
# Usage: run.sh [FOLDER] (default /var/tmp/walpipe-demo). FOLDER must be new, empty, or a demo
# this script made before (it holds .walpipe-demo), which is then replaced; any other folder is
# refused with exit 2, since its files would be lost. PGBENCH_SECONDS sets the load's length.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

demo=$(realpath -m "${1:-/var/tmp/walpipe-demo}")
seconds=${PGBENCH_SECONDS:-30}
readonly marker=.walpipe-demo
cd "$REPO_ROOT"

refuse() {
  printf 'run: error: %s\nHINT: %s\n' "$1" "$2" >&2
  exit 2
}
if [[ -e $demo && ! -d $demo ]]; then
  refuse "\"$demo\" exists and is not a folder" \
    "Give a new or empty folder: bash scripts/run.sh FOLDER"
fi
if [[ -d $demo && ! -f $demo/$marker && -n $(ls -A "$demo") ]]; then
  refuse "folder \"$demo\" is not empty and was not made by run.sh" \
    "run.sh would replace what it holds. Give a new or empty folder: bash scripts/run.sh FOLDER"
fi

bash scripts/setup.sh
version=$(sed -n 's/^project(walpipe VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb=build-release/walpipe_${version}_amd64.deb
echo "run: building $deb"
# The build's output is shown only when it fails (ninja prints compiler errors on stdout).
if ! log=$(cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWALPIPE_BUILD_TESTS=OFF -DWALPIPE_BUILD_BENCH=OFF 2>&1 &&
  cmake --build build-release -j "$(nproc)" --target package 2>&1); then
  echo "$log" >&2
  echo "run: error: could not build $deb" >&2
  exit 1
fi
# --reinstall: a package rebuilt from changed sources keeps its version number.
if ! log=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "./$deb" 2>&1); then
  echo "$log" >&2
  echo "run: error: could not install $deb" >&2
  exit 1
fi
readonly walpipe=/usr/bin/walpipe
echo "run: installed $deb: $("$walpipe" --version | head -1) at $walpipe"

# shellcheck disable=SC2034  # read by pg_load.sh
readonly PG_HOST=$demo PG_PORT=54329
# shellcheck source=pg_load.sh
source scripts/pg_load.sh

# Only what an earlier run made is removed; the folder itself and anything else in it stay.
if [[ -f $demo/$marker ]]; then
  if [[ -d $demo/data ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$demo/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$demo/data" "$demo/archive" "$demo/server.log"
fi
mkdir -p "$demo/archive"
echo "made by walpipe's scripts/run.sh, which may replace the demo in this folder" >"$demo/$marker"
chmod 700 "$demo/archive"
chown -R postgres:postgres "$demo"

echo "run: initdb and start PostgreSQL 15 on port $PG_PORT with archive_command = walpipe push"
pg_init "$demo/data" "$walpipe push --archive $demo/archive %p" \
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
"$walpipe" verify --quiet --contiguous "$demo/archive"
du -sh "$demo/archive/wal" | awk '{print "run: archive size " $1}'

as_pg "$PG_BIN/pg_ctl" -D "$demo/data" -m fast stop >/dev/null
pg_ctl="runuser -u postgres -- $PG_BIN/pg_ctl -D $demo/data"
cat <<DONE
run: the demo is in $demo ($(du -sh "$demo" | cut -f1)); its server is stopped
run: start it again:  $pg_ctl -l $demo/server.log start
run: stop it:         $pg_ctl stop
run: remove the demo: rm -rf $demo
run: remove walpipe:  apt-get remove -y walpipe
DONE
