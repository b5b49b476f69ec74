#!/usr/bin/env bash
# How long `walpipe list` takes on an archive of N objects (default 10,000; the issue's target is
# under a second), next to `ls -lR` of the same archive, and its peak memory with N and with N/10
# objects (flat in N is the target). Builds a Release walpipe in build-bench.
#
# list reads each object's name, size and metadata frame, never its data. The archive is made
# by cloned_archive.sh from one real object pushed by walpipe: each of the N objects is that
# object's metadata frame with its own name, LSNs and commit times (and its checksum redone),
# followed by a hole up to the real object's size. Listing them costs what listing N real objects
# costs, and the archive is built in seconds in a few tens of megabytes. (Such objects are for
# list only: their data frames are holes, and `walpipe verify` would call every one of them
# corrupt.)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
root=$REPO_ROOT
count=${1:-10000}
runs=${RUNS:-11}
build=$root/build-bench

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWALPIPE_BUILD_TESTS=OFF \
  -DWALPIPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target walpipe >/dev/null
walpipe=$build/tools/walpipe
work=$(mktemp -d "${TMPDIR:-/var/tmp}/walpipe-bench-list.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck source=cloned_archive.sh
. "$REPO_ROOT/scripts/cloned_archive.sh"
cloned_archive "$walpipe" "$work" "$work/archive" "$count"
cloned_archive "$walpipe" "$work" "$work/archive-small" "$((count / 10))"
# Every object must list without a problem, or the timing would measure error messages.
"$walpipe" list --archive "$work/archive" | tail -1


echo "walpipe list on an archive of $count objects (median of $runs runs, warm cache)"
printf '%-44s %10s\n' "command" "ms"
printf '%-44s %10s\n' "ls -lR ARCHIVE" "$(median_ms "$runs" ls -lR "$work/archive")"
printf '%-44s %10s\n' "walpipe list" "$(median_ms "$runs" "$walpipe" list --archive "$work/archive")"
printf '%-44s %10s\n' "walpipe list --json" \
  "$(median_ms "$runs" "$walpipe" list --json --archive "$work/archive")"
printf '%-44s %10s\n' "walpipe list --at TIME (one line of output)" \
  "$(median_ms "$runs" "$walpipe" list --at "2026-11-24 17:00:00 UTC" --since "2026-11-24 17:00:00 UTC" \
    --until "2026-11-24 17:00:00 UTC" --archive "$work/archive")"
echo "peak memory of walpipe list: $(peak_kib "$walpipe" list --archive "$work/archive") KiB with" \
  "$count objects, $(peak_kib "$walpipe" list --archive "$work/archive-small") KiB with" \
  "$((count / 10)); --json: $(peak_kib "$walpipe" list --json --archive "$work/archive") KiB," \
  "$(peak_kib "$walpipe" list --json --archive "$work/archive-small") KiB"
