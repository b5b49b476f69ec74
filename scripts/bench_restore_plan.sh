#!/usr/bin/env bash
# How long `walpipe restore-plan --latest` takes over 1,000 segments of real WAL, next to
# `walpipe verify` of the same archive: the difference is the planning itself (the metadata
# listing, the choice of backup, the way through the timelines), which for a day of WAL must stay
# under a second on top of the verification.
#
# The WAL is bench_verify.sh's cached pgbench set (1,000 consecutive 1 MiB segments from
# PostgreSQL 15), pushed into a fresh archive with a backup history file naming its first
# segment. Warm cache, median of REPETITIONS runs (default 5). Builds a Release walpipe in
# build-bench.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

reps=${1:-5}
readonly BENCH_DIR=${WALPIPE_BENCH_DIR:-/var/tmp/walpipe-bench}
readonly SET=$BENCH_DIR/pgbench1000-1mb
readonly BUILD_DIR=$REPO_ROOT/build-bench
[[ -d $SET ]] || die "no WAL set in $SET: make it with scripts/bench_verify.sh --data-only (as root)"
cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DWALPIPE_BUILD_TESTS=OFF \
  -DWALPIPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" --target walpipe >/dev/null
need_release "$BUILD_DIR"
readonly WALPIPE=$BUILD_DIR/tools/walpipe

work=$(mktemp -d "${TMPDIR:-/var/tmp}/walpipe-bench-plan.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/archive" "$work/src"
note "pushing $(find "$SET" -maxdepth 1 -type f | wc -l) segments into $work/archive"
first=""
for f in $(find "$SET" -maxdepth 1 -type f -printf '%f\n' | sort); do
  [[ -n $first ]] || first=$f
  "$WALPIPE" push --batch 1 --archive "$work/archive" "$SET/$f" >/dev/null
done
# A backup that starts and ends in the first segment, at its first page's end.
high=$((16#${first:8:8}))
start=$(printf '%X/%X' "$high" $((16#${first:16:8} * 1048576 + 8192)))
stop=$(printf '%X/%X' "$high" $((16#${first:16:8} * 1048576 + 16384)))
name=$first.00002000.backup
backup_history "$first" "$start" "$stop" "$start" "2000-01-01 00:00:00 UTC" \
  "2000-01-01 00:00:01 UTC" >"$work/src/$name"
"$WALPIPE" push --archive "$work/archive" "$work/src/$name" >/dev/null
"$WALPIPE" restore-plan --archive "$work/archive" --latest >&2 || die "the plan is not reachable"

echo "walpipe restore-plan --latest over 1,000 segments of 1 MiB (median of $reps runs, warm cache)"
printf '%-52s %10s\n' "command" "ms"
printf '%-52s %10s\n' "walpipe verify ARCHIVE" "$(median_ms "$reps" "$WALPIPE" verify -q "$work/archive")"
printf '%-52s %10s\n' "walpipe restore-plan --latest" \
  "$(median_ms "$reps" "$WALPIPE" restore-plan --archive "$work/archive" --latest)"
printf '%-52s %10s\n' "walpipe list (the metadata listing alone)" \
  "$(median_ms "$reps" "$WALPIPE" list --archive "$work/archive")"
