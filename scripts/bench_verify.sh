#!/usr/bin/env bash
# End-to-end verification benchmark: `walpipe verify DIR` side by side with pg_waldump on the
# same real WAL, plus walpipe's peak RSS over 10 and over 1,000 segments.
#
# The WAL comes from pgbench on a throwaway PostgreSQL 15 cluster, made once and cached under
# $WALPIPE_BENCH_DIR (default /var/tmp/walpipe-bench), never inside the git tree. All runs are
# warm: nothing is dropped from the page cache, so both tools read from memory and the figures
# compare parsing and CRC work, not the disk.
#
# Usage: scripts/bench_verify.sh [--data-only] [REPETITIONS]
#   --data-only   make (or check) the cached WAL sets, then exit
#   REPETITIONS   timed runs per tool, interleaved; the median is reported (default 5)
# Must run as root (the cluster runs as the `postgres` OS user through runuser).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PGBIN=/usr/lib/postgresql/15/bin
readonly BENCH_DIR=${WALPIPE_BENCH_DIR:-/var/tmp/walpipe-bench}
readonly PORT=${WALPIPE_BENCH_PORT:-54329}
bash "$REPO_ROOT/scripts/setup.sh" bench >&2
readonly BUILD_DIR=$REPO_ROOT/build-bench
readonly RESULTS=$REPO_ROOT/bench/results/verify.md

data_only=false
reps=5
for arg in "$@"; do
  case $arg in
    --data-only) data_only=true ;;
    ''|*[!0-9]*) die "unknown argument \"$arg\" (usage: $0 [--data-only] [REPETITIONS])" ;;
    *) reps=$arg ;;
  esac
done
((reps >= 1)) || die "REPETITIONS must be at least 1"
need_root "the cluster is started as the postgres user via runuser"
id postgres >/dev/null 2>&1 || die "the postgres OS user does not exist"
[[ -x $PGBIN/pg_waldump ]] || die "PostgreSQL 15 not found in $PGBIN"

# segno of a WAL file name (TTTTTTTTXXXXXXXXYYYYYYYY) for a segment size in MiB.
segno() {
  local name=$1 seg_mib=$2
  echo $(( 16#${name:8:8} * (4096 / seg_mib) + 16#${name:16:8} ))
}

# WAL segment names in a folder, in order (names sort as segments do within one timeline).
segments_in() {
  find "$1" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9A-F]{24}' \
    -printf '%f\n' | sort
}

# Names of the WAL segments in a folder that come after segment NAME. awk must compare them
# as strings: a name such as 0000000100000000000000E0 also reads as a number (1e14).
segments_after() {
  segments_in "$1" | awk -v a="$2" '("" $0) > ("" a)'
}

# make_wal_set NAME SEG_MIB COUNT SCALE: COUNT consecutive archived segments written while
# pgbench ran, in $BENCH_DIR/NAME. Reused when already there.
make_wal_set() {
  local name=$1 seg_mib=$2 count=$3 scale=$4
  local dest=$BENCH_DIR/$name work=$BENCH_DIR/work-$name
  # The 16 MiB set keeps its stopped cluster beside the WAL: pgBackRest (bench_push.sh) needs
  # its pg_control.
  if [[ -d $dest ]] && { ((seg_mib != 16)) || [[ -d $dest-data ]]; } &&
    (($(segments_in "$dest" | wc -l) == count)); then
    note "reusing $count cached segments in $dest"
    return
  fi
  note "making $count WAL segments of $seg_mib MiB from pgbench in $dest (once; cached)"
  rm -rf "$dest" "$dest.tmp" "$dest-data" "$work"
  mkdir -p "$work/archive"
  chown -R postgres: "$work"
  as_pg "$PGBIN/initdb" -D "$work/data" --wal-segsize="$seg_mib" -A trust -U postgres \
    --no-sync >"$work/initdb.log" || die "initdb failed; see $work/initdb.log"
  # fsync=off only skips flushes; the WAL records written are the same.
  cat >>"$work/data/postgresql.conf" <<EOF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$work'
archive_mode = on
archive_command = 'test ! -f $work/archive/%f && cp %p $work/archive/%f'
fsync = off
EOF
  as_pg "$PGBIN/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null ||
    die "the cluster did not start; see $work/server.log"
  # From here on the cluster must be stopped however the script ends.
  trap 'as_pg "$PGBIN/pg_ctl" -D "'"$work"'/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
  local pg=(-h "$work" -p "$PORT" -U postgres)
  as_pg "$PGBIN/pgbench" "${pg[@]}" -i -q -s "$scale" postgres >"$work/pgbench-init.log" 2>&1 ||
    die "pgbench -i failed; see $work/pgbench-init.log"
  # Keep only WAL written by the TPC-B run: switch away from the initialisation's segment, and
  # start right after a checkpoint, as a real pgbench run would see full-page images.
  as_pg "$PGBIN/psql" "${pg[@]}" -qAt -c CHECKPOINT postgres >/dev/null
  local switched
  switched=$(as_pg "$PGBIN/psql" "${pg[@]}" -qAt \
    -c 'SELECT pg_walfile_name(pg_switch_wal())' postgres)
  local rounds=0
  # One more than needed: the newest archived segment may still be followed by a record that
  # continues, and we want complete neighbours on both sides.
  while (($(segments_after "$work/archive" "$switched" | wc -l) < count + 1)); do
    ((++rounds <= 200)) || die "pgbench did not produce $count segments after 200 rounds"
    as_pg "$PGBIN/pgbench" "${pg[@]}" -n -c 4 -j 2 -T 15 postgres >>"$work/pgbench.log" 2>&1 ||
      die "pgbench failed; see $work/pgbench.log"
    note "  $(segments_after "$work/archive" "$switched" | wc -l) of $count segments archived"
  done
  as_pg "$PGBIN/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
  trap - EXIT

  mkdir -p "$dest.tmp"
  local first="" last="" n=0 f
  while read -r f; do
    cp "$work/archive/$f" "$dest.tmp/"
    [[ -n $first ]] || first=$f
    last=$f
    ((++n == count)) && break
  done < <(segments_after "$work/archive" "$switched")
  (($(segno "$last" "$seg_mib") - $(segno "$first" "$seg_mib") + 1 == count)) ||
    die "archived segments $first..$last are not $count consecutive segments"
  mv "$dest.tmp" "$dest"
  rm -rf "$work/data/pg_wal"/0* "$work/data/pg_wal/archive_status"/*
  mv "$work/data" "$dest-data"
  rm -rf "$work"
  note "kept $first .. $last in $dest"
}

mkdir -p "$BENCH_DIR"
make_wal_set pgbench64 16 64 50
make_wal_set pgbench1000-1mb 1 1000 10
$data_only && exit 0

# --- Build -------------------------------------------------------------------------------
note "building walpipe (Release) in $BUILD_DIR"
cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DWALPIPE_BUILD_TESTS=OFF \
  -DWALPIPE_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" --target walpipe -j "$(nproc)" >/dev/null
# A debug build measures the wrong thing; refuse rather than report it (cf. leveldb db_bench).
grep -qx 'CMAKE_BUILD_TYPE:STRING=Release' "$BUILD_DIR/CMakeCache.txt" ||
  die "$BUILD_DIR is not a Release build; refusing to report"
readonly WALPIPE=$BUILD_DIR/tools/walpipe
[[ -x $WALPIPE ]] || die "no walpipe binary at $WALPIPE"
[[ -x /usr/bin/time ]] || { note "installing GNU time"; apt-get install -y -qq time >/dev/null; }

# --- Timing ------------------------------------------------------------------------------
readonly SET64=$BENCH_DIR/pgbench64
mapfile -t files64 < <(segments_in "$SET64")
first64=${files64[0]}
last64=${files64[-1]}
bytes64=$(du -cb "${files64[@]/#/$SET64/}" | tail -1 | cut -f1)

walpipe_verify() { "$WALPIPE" verify -q "$@"; }
waldump_each() {
  local f
  for f in "$@"; do "$PGBIN/pg_waldump" -q "$f"; done
}
export -f waldump_each
export PGBIN

# timed NAME CMD...: one run, "wall user+sys maxrss_kib" appended to $tmp/NAME. A tool that
# fails on this WAL invalidates the comparison, so a non-zero exit stops the script.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timed() {
  local name=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>&1 ||
    die "$name failed: $(tail -3 "$tmp/out")"
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$tmp/time" >>"$tmp/$name"
}

column_median() {  # the median of column $2 in file $1
  awk -v c="$2" '{ print $c }' "$1" | median
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
note "warm-up: reading $SET64 once with each tool"
walpipe_verify "$SET64" >/dev/null || die "walpipe verify reports problems in $SET64"
waldump_each "${files64[@]/#/$SET64/}" || die "pg_waldump reports problems in $SET64"

for ((r = 1; r <= reps; ++r)); do
  note "repetition $r of $reps"
  timed walpipe "$WALPIPE" verify -q "$SET64"
  timed waldump_each bash -c 'waldump_each "$@"' _ "${files64[@]/#/$SET64/}"
  timed waldump_range "$PGBIN/pg_waldump" -q -p "$SET64" "$first64" "$last64"
done

# --- Memory ------------------------------------------------------------------------------
readonly SET1000=$BENCH_DIR/pgbench1000-1mb
# Smaller sets are the first files of the 1000, so every set is the same kind of WAL.
subset() {  # subset COUNT: prints the folder holding the first COUNT files of SET1000
  local dir=$BENCH_DIR/pgbench$1-1mb
  if [[ ! -d $dir ]]; then
    mkdir -p "$dir.tmp"
    segments_in "$SET1000" | head -"$1" | while read -r f; do cp "$SET1000/$f" "$dir.tmp/"; done
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}
readonly MEMORY_SETS=(10 300 1000)
for ((r = 1; r <= reps; ++r)); do
  for n in "${MEMORY_SETS[@]}"; do
    timed "rss$n-j1" "$WALPIPE" verify -q -j1 "$(subset "$n")"
    timed "rss$n" "$WALPIPE" verify -q "$(subset "$n")"
  done
done
# The heap alone, without thread arenas and mapped files that make RSS move by a few hundred
# KiB from run to run: valgrind's massif, one thread at a time.
heap_kib() {
  if ! command -v valgrind >/dev/null; then
    echo "n/a"
    return
  fi
  valgrind --tool=massif --massif-out-file="$tmp/massif" "$WALPIPE" verify -q -j1 "$1" \
    >/dev/null 2>&1 || die "walpipe verify failed under valgrind on $1"
  grep mem_heap_B= "$tmp/massif" | cut -d= -f2 | sort -n | tail -1 |
    awk '{ printf "%.0f", $1 / 1024 }'
}
declare -A heap
for n in "${MEMORY_SETS[@]}"; do heap[$n]=$(heap_kib "$(subset "$n")"); done

# --- Report ------------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
wp_wall=$(column_median "$tmp/walpipe" 1)
wp_cpu=$(column_median "$tmp/walpipe" 2)
row() {  # row LABEL NAME
  local wall cpu
  wall=$(column_median "$tmp/$2" 1)
  cpu=$(column_median "$tmp/$2" 2)
  awk -v l="$1" -v w="$wall" -v c="$cpu" -v b="$bytes64" -v rw="$wp_wall" -v rc="$wp_cpu" \
    'BEGIN { printf "| %s | %.2f | %.2f | %.2f | %.1fx | %.1fx |\n", l, w, c, b / w / 1e9,
             w / rw, c / rc }'
}
rss_mib() { awk -v k="$(column_median "$tmp/$1" 3)" 'BEGIN { printf "%.1f", k / 1024 }'; }
jobs=$(nproc)
report=$(cat <<EOF
# walpipe verify vs pg_waldump

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), \
$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)
- load average before / after the runs: $load_before / $load_after (other users of this machine
  are not stopped; with more runnable processes than cores, wall times include waiting for a CPU)
- walpipe $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown) \
(Release, \`walpipe verify -q DIR\`, default -j = $jobs); $("$PGBIN/pg_waldump" --version)
- WAL: ${#files64[@]} consecutive 16 MiB segments ($first64 .. $last64) from pgbench scale 50 on
  PostgreSQL 15, $(awk -v b="$bytes64" 'BEGIN { printf "%.2f GB", b / 1e9 }'); warm page cache;
  median of $reps interleaved runs

| tool | median wall s | CPU s (user+sys) | GB/s of WAL (wall) | wall / walpipe | CPU / walpipe |
| --- | ---: | ---: | ---: | ---: | ---: |
$(row 'walpipe verify DIR' walpipe)
$(row 'pg_waldump -q, once per file' waldump_each)
$(row 'pg_waldump -q, whole range in one process' waldump_range)

Memory of \`walpipe verify -q DIR\` over 1 MiB segments from one pgbench run (peak RSS: median
of $reps; heap: peak of all heap blocks under valgrind massif, -j1):

| files | peak RSS MiB, -j1 | peak RSS MiB, -j $jobs | heap peak KiB |
| ---: | ---: | ---: | ---: |
$(for n in "${MEMORY_SETS[@]}"; do
  echo "| $n | $(rss_mib "rss$n-j1") | $(rss_mib "rss$n") | ${heap[$n]} |"
done)

The heap holds one window of 128 names per open folder and the ends of each run of segments,
so it stops growing once a folder has more than 128 files. RSS also counts the segment each
worker has mapped and each worker's malloc arena: with 10 files of 1 MiB the second worker is
often idle or done before the first maps its next file, which is why 10 files can peak lower
with more than one worker; from 300 files on, the figure no longer moves.
EOF
)
mkdir -p "$(dirname "$RESULTS")"
echo "$report" >"$RESULTS"
echo "$report"
note "written to $RESULTS"
