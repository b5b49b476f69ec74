#!/usr/bin/env bash
# Recovery speed: the same archived WAL replayed by PostgreSQL 15 from a base backup, once with
# restore_command = cp of raw segments and once with walpipe get (prefetching, as the README
# sets it up). The WAL comes from pgbench with many clients plus a bulk-insert loop, archived
# raw by the seed command; walpipe's archive is made from those same files with walpipe push.
# Reported: segments replayed, wall time from server start until recovery has ended, MiB/s,
# with the page cache dropped first (cold) and with both archives read into it (warm).
# Usage: scripts/bench_recovery.sh [SECONDS_OF_LOAD] (default 30). Run as root on an idle
# machine.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=pg_load.sh
. "$REPO_ROOT/scripts/pg_load.sh"

bench_cluster recovery 54332
seconds=${1:-30}
reps=3

install_walpipe "$REPO_ROOT"

trap 'pg_stop_all "$WORK"' EXIT
pg_stop_all "$WORK"
rm -rf "$WORK" && mkdir -p "$WORK/raw" "$WORK/walpipe" && chown -R postgres: "$WORK"
chmod 700 "$WORK/raw" "$WORK/walpipe"

# --- The WAL: a primary under load, archiving raw segments -------------------------------
note "primary under load for ${seconds}s"
replay_wal_make "$WORK" "$seconds"
rows=$REPLAY_ROWS start=$REPLAY_START
segments=("${REPLAY_SEGMENTS[@]}")
note "archiving the same ${#segments[@]} segments with walpipe push"
for s in "${segments[@]}"; do
  as_pg walpipe push --batch 1 --archive "$WORK/walpipe" "$WORK/raw/$s"
done
for f in "$WORK"/raw/*.history; do
  [[ -e $f ]] && as_pg walpipe push --batch 1 --archive "$WORK/walpipe" "$f"
done
# What the base backup needs replayed: its start segment and every one after it.
replayed=()
for s in "${segments[@]}"; do [[ $s < $start ]] || replayed+=("$s"); done
raw_bytes=$(du -cb "${replayed[@]/#/$WORK/raw/}" | tail -1 | cut -f1)

# --- Replays -----------------------------------------------------------------------------
# replay NAME RESTORE_COMMAND CACHE: seconds until recovery has ended (replay_seconds). CACHE
# cold drops the page cache first (an archive on other storage, a restore after a reboot); warm
# reads both archives in beforehand (an archive just written on the same machine).
fill_cache() {
  echo 3 >/proc/sys/vm/drop_caches
  if [[ $1 == warm ]]; then
    cat "$WORK"/raw/* >/dev/null
    find "$WORK/walpipe" -type f -exec cat {} + >/dev/null
  fi
}
replay() { replay_seconds "$WORK" "$1" "$2" fill_cache "$3"; }

declare -A took
for ((r = 1; r <= reps; r++)); do
  note "replay repetition $r/$reps"
  for cache in cold warm; do
    took[cp_$cache]+="$(replay cp "cp $WORK/raw/%f %p" $cache) "
    took[walpipe_$cache]+="$(replay walpipe "walpipe get --archive $WORK/walpipe %f %p" $cache) "
  done
done

row() {
  local m
  m=$(median <<<"${took[$1]}")
  awk -v l="$2" -v m="$m" -v b="$raw_bytes" -v all="${took[$1]}" \
    'BEGIN { printf "| %s | %.2f | %.0f | %s |\n", l, m, b / 1048576 / m, all }'
}
{
  echo "# Recovery: replaying the same archived WAL with cp and with walpipe get"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- PostgreSQL 15 base backup (-X none) replaying ${#replayed[@]} segments" \
    "($((raw_bytes / 1048576)) MiB, from $start) of pgbench (16 clients, -N) plus bulk inserts," \
    "${seconds}s of load"
  echo "- walpipe $(git -C "$REPO_ROOT" rev-parse --short HEAD); median of $reps runs, interleaved;" \
    "every replay checked to hold all $rows bulk rows"
  echo "- cold: page cache dropped before the replay; warm: both archives read into it first"
  echo
  echo "| restore_command | cache | seconds to end of recovery | MiB/s of WAL | runs (s) |"
  echo "| --- | --- | ---: | ---: | --- |"
  for cache in cold warm; do
    row "cp_$cache" "cp DIR/%f %p (raw segments) | $cache"
    row "walpipe_$cache" "walpipe get --archive DIR %f %p (prefetching) | $cache"
  done
} | tee "$RESULTS"
