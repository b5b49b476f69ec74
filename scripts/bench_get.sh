#!/usr/bin/env bash
# CPU of one restore call, call by call: `walpipe get --prefetch 0` of each of the 64 real 16 MiB
# pgbench segments next to `cp` of the same raw segment, alternating, the restored files kept
# under their names as PostgreSQL keeps them. Only the restore command's own CPU is counted
# (read from /proc without forking), as GB/s of restored WAL per core.
#
# On a VM that hands free memory back to its host, new page-cache pages can cost a host fault
# each. A first untimed round restores everything once; later rounds restore over those files,
# as a server in recovery recycles its segments, so the memory freed by each replaced file is
# what the next call writes into. Both commands write the same new 16 MiB per call, so they are
# compared under the same conditions either way.
#
# Uses the archive and the raw copies bench_push.sh made. Usage: scripts/bench_get.sh [ROUNDS]
# (default 3). Run as root on an idle machine.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly BENCH_DIR=${WALPIPE_BENCH_DIR:-/var/tmp/walpipe-bench}
readonly WORK=$BENCH_DIR/push-work
readonly ARCHIVE=$WORK/walpipe RAW=$WORK/cp_sync OUT=$WORK/restore-percall
readonly WALPIPE=$REPO_ROOT/build-bench/tools/walpipe
readonly RESULTS=$REPO_ROOT/bench/results/get.md
rounds=${1:-3}

[[ -x $WALPIPE && -d $ARCHIVE/wal && -d $RAW ]] || die "run scripts/bench_push.sh first"
need_release "$REPO_ROOT/build-bench"
mapfile -t segs < <(find "$RAW" -maxdepth 1 -type f -regextype posix-extended \
  -regex '.*/[0-9A-F]{24}' -printf '%f\n' | sort)
((${#segs[@]} > 0)) || die "no segments in $RAW"
ticks_per_s=$(getconf CLK_TCK)
readonly ticks_per_s

# round: restores every segment with both commands; prints "get_ms cp_ms" of CPU per call.
round() {
  local get_ticks=0 cp_ticks=0 c0
  for s in "${segs[@]}"; do
    read_child_ticks; c0=$child_ticks
    "$WALPIPE" get --prefetch 0 --archive "$ARCHIVE" "$s" "$OUT/get/RECOVERYXLOG"
    read_child_ticks; get_ticks=$((get_ticks + child_ticks - c0))
    mv "$OUT/get/RECOVERYXLOG" "$OUT/get/$s"
    read_child_ticks; c0=$child_ticks
    cp "$RAW/$s" "$OUT/cp/RECOVERYXLOG"
    read_child_ticks; cp_ticks=$((cp_ticks + child_ticks - c0))
    mv "$OUT/cp/RECOVERYXLOG" "$OUT/cp/$s"
  done
  cmp -s "$OUT/get/${segs[0]}" "$RAW/${segs[0]}" || die "restored ${segs[0]} differs"
  echo "$(echo "$get_ticks * 1000 / $ticks_per_s / ${#segs[@]}" | bc -l)" \
    "$(echo "$cp_ticks * 1000 / $ticks_per_s / ${#segs[@]}" | bc -l)"
}

rm -rf "$OUT" && mkdir -p "$OUT/get" "$OUT/cp"
round >/dev/null  # warm-up, not counted
rows=()
for ((r = 1; r <= rounds; r++)); do
  read -r g c < <(round)
  rows+=("$(printf '| %d | %.1f | %.2f | %.1f | %.2f |' "$r" "$g" \
    "$(echo "16.777216 / $g" | bc -l)" "$c" "$(echo "16.777216 / $c" | bc -l)")")
done
rm -rf "$OUT"
{
  echo "# One restore call's own CPU, call by call"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; walpipe $(git -C "$REPO_ROOT" rev-parse --short HEAD) (Release)"
  echo "- ${#segs[@]} real 16 MiB pgbench segments per round, walpipe get and cp alternating; each"
  echo "  restored file replaces the one of the round before (after an untimed first round)"
  echo
  echo "| round | walpipe get --prefetch 0, ms CPU | GB/s per core | cp, ms CPU | GB/s per core |"
  echo "| ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
} | tee "$RESULTS"
