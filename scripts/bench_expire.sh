#!/usr/bin/env bash
# Peak memory and time of `walpipe expire` on an archive of N objects (default 100,000) and of
# N/10: memory flat in the number of objects is the target (issue 12). Builds a Release walpipe
# in build-bench.
#
# The archive is made as bench_list.sh makes its own, by cloned_archive.sh: each object is one real
# object's metadata frame under its own name, LSNs and commit times, then a hole. expire reads only metadata and .backup files. A backup in the
# segment 90 % of the way in makes --keep-backups 1 remove the 90 % before it.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
root=$REPO_ROOT
count=${1:-100000}
build=$root/build-bench

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWALPIPE_BUILD_TESTS=OFF \
  -DWALPIPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target walpipe >/dev/null
need_release "$build"
walpipe=$build/tools/walpipe
work=$(mktemp -d "${TMPDIR:-/var/tmp}/walpipe-bench-expire.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck source=cloned_archive.sh
. "$root/scripts/cloned_archive.sh"

# make_archive DIR N: N segments of timeline 1 from segment 1 on, and a backup at 0.9 N.
make_archive() {
  local dir=$1 n=$2
  cloned_archive "$walpipe" "$work" "$dir" "$n"
  local b=$((n * 9 / 10)) log seg_hex name
  log=$(printf '%X' $((b / 4096)))
  seg_hex=$(printf '%08X' $((b % 4096)))
  name=$(printf '00000001%08X%s' $((b / 4096)) "$seg_hex")
  local lsn_hi=$log lsn_lo
  lsn_lo=$(printf '%X' $(((b % 4096) * 1048576 + 0x28)))
  backup_history "$name" "$lsn_hi/$lsn_lo" \
    "$lsn_hi/$(printf '%X' $(((b % 4096) * 1048576 + 0x100)))" \
    "$lsn_hi/$(printf '%X' $(((b % 4096) * 1048576 + 0x60)))" \
    "2026-11-24 16:00:00 UTC" "2026-11-24 16:00:01 UTC" >"$work/$name.00000028.backup"
  "$walpipe" push --archive "$dir" "$work/$name.00000028.backup"
}

make_archive "$work/archive" "$count"
make_archive "$work/archive-small" "$((count / 10))"

# peak_kib runs a program (through /usr/bin/time), not a shell function: each line spells it out.
expire=("$walpipe" expire --keep-backups 1 --archive)
echo "walpipe expire --keep-backups 1 (removes 90 % of the objects)"
printf '%-34s %12s %12s\n' "" "$count" "$((count / 10))"
printf '%-34s %12s %12s\n' "peak KiB, --dry-run" \
  "$(peak_kib "${expire[@]}" "$work/archive" --dry-run)" \
  "$(peak_kib "${expire[@]}" "$work/archive-small" --dry-run)"
printf '%-34s %12s %12s\n' "peak KiB, --dry-run --json" \
  "$(peak_kib "${expire[@]}" "$work/archive" --dry-run --json)" \
  "$(peak_kib "${expire[@]}" "$work/archive-small" --dry-run --json)"
s0=$(date +%s.%N)
big=$(peak_kib "${expire[@]}" "$work/archive")
s1=$(date +%s.%N)
small=$(peak_kib "${expire[@]}" "$work/archive-small")
s2=$(date +%s.%N)
printf '%-34s %12s %12s\n' "peak KiB, removing" "$big" "$small"
printf '%-34s %12.1f %12.1f\n' "seconds, removing" "$(echo "$s1 - $s0" | bc)" \
  "$(echo "$s2 - $s1" | bc)"
echo "objects left: $(find "$work/archive/wal" -type f | wc -l), $(find "$work/archive-small/wal" -type f | wc -l)"
