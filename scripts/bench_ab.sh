#!/bin/bash
# push and get of the same real 16 MiB segments by two walpipe binaries, interleaved round by
# round, so that a change can show it costs nothing: bench_ab.sh OLD_BINARY NEW_BINARY [ROUNDS].
# Build each as Release (e.g. a `git worktree` of the commit before the change). Each round
# pushes the pgbench segments of tests/corpus one call at a time (--batch 1, as PostgreSQL's
# archiver calls it with look-ahead off) into a fresh archive, then gets each back
# (--prefetch 0). Prints each round and the medians and spreads, in milliseconds per round.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 2 ]] || die "usage: bench_ab.sh OLD_BINARY NEW_BINARY [ROUNDS]"
old=$1 new=$2 rounds=${3:-9}
for bin in "$old" "$new"; do [[ -x $bin ]] || die "\"$bin\" is not an executable"; done
work=$(mktemp -d /var/tmp/walpipe-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT
pgbench_segments "$work/src"

elapsed_ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
declare -A times
for ((r = 1; r <= rounds; r++)); do
  for which in old new; do
    bin=${!which} archive=$work/archive-$which
    mkdir -p "$archive"
    start=$(date +%s%N)
    for s in "$work"/src/*; do "$bin" push --batch 1 --archive "$archive" "$s"; done
    push=$(elapsed_ms "$start")
    start=$(date +%s%N)
    for s in "$work"/src/*; do
      "$bin" get --prefetch 0 --archive "$archive" "$(basename "$s")" "$work/restored"
    done
    get=$(elapsed_ms "$start")
    rm -rf "$archive"
    times[$which.push]+="$push " times[$which.get]+="$get "
    note "round $r $which: push $push ms, get $get ms"
  done
done
printf '%-5s %-22s %-22s\n' "" "push (median, spread)" "get (median, spread)"
for which in old new; do
  printf '%-5s %-22s %-22s\n' "$which" \
    "$(median <<<"${times[$which.push]}") ($(spread <<<"${times[$which.push]}"))" \
    "$(median <<<"${times[$which.get]}") ($(spread <<<"${times[$which.get]}"))"
done
