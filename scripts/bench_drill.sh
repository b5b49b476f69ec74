#!/usr/bin/env bash
# What walpipe drill adds to a restore test done by hand (issue 12's target: at most 10 %). One
# base backup and the WAL of a loaded primary archived with walpipe push; then, interleaved,
# the replay by hand (cp -a of the backup, recovery settings, pg_ctl start, poll until recovery
# has ended: what restore-plan's settings make an operator do) and walpipe drill --latest on the
# same backup and archive, both with walpipe get (prefetching) as restore_command. Each replay
# is checked to hold every row of the load.
# Reported: seconds for the hand replay (copy + recovery), for the whole drill command (copy and
# plan, recovery, query, stop, removal) and the recovery time drill measured itself.
# Usage: scripts/bench_drill.sh [SECONDS_OF_LOAD] (default 20). Run as root on an idle machine.
# The walpipe measured is a Release build in $WALPIPE_BENCH_BUILD (default REPO/build-drill-rel).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root "PostgreSQL runs as the postgres user"
readonly WORK=${WALPIPE_BENCH_DIR:-/var/tmp/walpipe-bench}/drill
# shellcheck disable=SC2034  # read by pg_load.sh
readonly PG_HOST=$WORK PG_PORT=54333
# shellcheck source=pg_load.sh
. "$REPO_ROOT/scripts/pg_load.sh"
readonly BUILD=${WALPIPE_BENCH_BUILD:-$REPO_ROOT/build-drill-rel}
seconds=${1:-20}
reps=${WALPIPE_BENCH_REPS:-5}

need_release "$BUILD"
trap 'pg_stop_all "$WORK"' EXIT
pg_stop_all "$WORK"
rm -rf "$WORK" && mkdir -p "$WORK/archive" && chown -R postgres: "$WORK"
chmod 700 "$WORK/archive"
# Where postgres can run it, without installing anything.
readonly BIN=$WORK/walpipe
install -m 0755 "$BUILD/tools/walpipe" "$BIN"

note "primary under load for ${seconds}s"
loaded_primary "$WORK" "$seconds" "$BIN push --archive $WORK/archive %p" 10
rows=$REPLAY_ROWS
segments=$(find "$WORK/archive/wal" -name '*.zst' | wc -l)

# by_hand: seconds from the start of the copy until recovery has ended, and of the copy alone.
by_hand() {
  local t0 tc
  rm -rf "$WORK/replay"
  t0=$(date +%s.%N)
  as_pg cp -a "$WORK/base" "$WORK/replay"
  tc=$(date +%s.%N)
  cat >>"$WORK/replay/postgresql.conf" <<CONF
archive_mode = off
restore_command = '$BIN get --archive $WORK/archive %f %p'
recovery_end_command = '$BIN get --remove-spool=pg_wal/walpipe_prefetch'
recovery_target_action = 'promote'
CONF
  as_pg touch "$WORK/replay/recovery.signal"
  replay_promoted "$WORK" "$WORK/replay.log" "the hand"
  rm -rf "$WORK/replay"
  echo "$(echo "$PROMOTED_AT - $t0" | bc -l) $(echo "$tc - $t0" | bc -l)"
}

# drill: seconds of the whole command, and the recovery and copy times it reported.
drill() {
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$(as_pg "$BIN" drill --archive "$WORK/archive" --backup "$WORK/base" \
    --sql "SELECT count(*) FROM bulk" --json)
  t1=$(date +%s.%N)
  [[ $out == *"\"answer\":[[\"$rows\"]]"* ]] || die "the drill did not answer $rows: $out"
  echo "$(echo "$t1 - $t0" | bc -l)" \
    "$(grep -o '"recovery_seconds":[0-9.]*' <<<"$out" | cut -d: -f2)" \
    "$(grep -o '"copy_seconds":[0-9.]*' <<<"$out" | cut -d: -f2)"
}

hand="" hand_copy="" whole="" recovery="" copy=""
for ((r = 1; r <= reps; r++)); do
  note "repetition $r/$reps"
  read -r h hc <<<"$(by_hand)"
  hand+="$h " hand_copy+="$hc "
  read -r w rec c <<<"$(drill)"
  whole+="$w " recovery+="$rec " copy+="$c "
done

h=$(median <<<"$hand") hc=$(median <<<"$hand_copy")
w=$(median <<<"$whole") rec=$(median <<<"$recovery") c=$(median <<<"$copy")
echo "# walpipe drill against the same restore done by hand"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "- PostgreSQL 15, base backup (-X none) of pgbench -s 10, then ${seconds}s of load;" \
  "$segments objects in the archive; median of $reps interleaved runs; $rows bulk rows checked"
echo
echo "| replay | seconds (median) | runs (s) |"
echo "| --- | ---: | --- |"
echo "| by hand: cp -a, settings, pg_ctl start, poll until recovery ended | $h | $hand |"
echo "| by hand: of which cp -a | $hc | $hand_copy |"
echo "| walpipe drill, the whole command | $w | $whole |"
echo "| walpipe drill: copy beside the plan's verification | $c | $copy |"
echo "| walpipe drill: recovery, server start to recovery ended | $rec | $recovery |"
awk -v h="$h" -v w="$w" 'BEGIN { printf "\ndrill / by hand: %.3f (%+.1f %%)\n", w / h, (w / h - 1) * 100 }'
