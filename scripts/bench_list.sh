#!/usr/bin/env bash
# How long `walpipe list` takes on an archive of N objects (default 10,000; the issue's target is
# under a second), next to `ls -lR` of the same archive, and its peak memory with N and with N/10
# objects (flat in N is the target). Builds a Release walpipe in build-bench.
#
# list reads each object's name, size and metadata frame, never its data. The archive is made
# from one real object pushed by walpipe: each of the N objects is that object's metadata frame
# with its own name, LSNs and commit times (and its checksum redone), followed by a hole up to the
# real object's size. Listing them costs what listing N real objects costs, and the archive is
# built in seconds in a few tens of megabytes. (Such objects are for list only: their data frames
# are holes, and `walpipe verify` would call every one of them corrupt.)
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

# The generator: argv = template object, archive, count. Metadata offsets: docs/object-format.md.
cat >"$work/clone.c" <<'C'
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t crc32c(const uint8_t *p, size_t n) {
  static uint32_t table[256];
  if (!table[1])
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      table[i] = c;
    }
  uint32_t c = ~0u;
  while (n--) c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
  return ~c;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  uint8_t block[4096];
  if (fd < 0 || fstat(fd, &st) || read(fd, block, sizeof block) != (ssize_t)sizeof block) return 1;
  close(fd);
  uint32_t payload;
  memcpy(&payload, block + 4, 4);
  if (payload + 8 > sizeof block) return 1;
  uint8_t *p = block + 8;
  size_t name_at = 8 + 4 + 4 + 2, name_len = 24;
  uint32_t frames;
  memcpy(&frames, p + name_at + name_len + 8 + 16 + 4, 4);
  size_t lsn_at = name_at + name_len + 8 + 16 + 4 + 4 + 4 * frames + 2 + 8 + 4 + 4 + 4;
  size_t times_at = lsn_at + 8 * 4 + 1;
  long n = atol(argv[3]);
  const uint64_t seg = 1 << 20;
  const int64_t t0 = 848850857000000;  /* 2026-11-24 15:54:17 UTC */
  for (long i = 1; i <= n; i++) {
    uint32_t log = (uint32_t)(i / 4096), s = (uint32_t)(i % 4096);
    char name[32], dir[4096], path[4096];
    snprintf(name, sizeof name, "00000001%08X%08X", log, s);
    snprintf(dir, sizeof dir, "%s/wal/00000001%08X", argv[2], log);
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/%s.zst", dir, name);
    memcpy(p + name_at, name, name_len);
    uint64_t first = (uint64_t)i * seg + 0x28, last = first + seg - 0x100, end = last + 0x50;
    memcpy(p + lsn_at, &first, 8);
    memcpy(p + lsn_at + 8, &last, 8);
    memcpy(p + lsn_at + 16, &end, 8);
    int64_t t_first = t0 + i * 1000000, t_last = t_first + 900000;
    memcpy(p + times_at, &t_first, 8);
    memcpy(p + times_at + 8, &t_last, 8);
    uint32_t crc = crc32c(p, payload - 4);
    memcpy(p + payload - 4, &crc, 4);
    int out = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (out < 0 || write(out, block, sizeof block) != (ssize_t)sizeof block ||
        ftruncate(out, st.st_size) || close(out))
      return 1;
  }
  return 0;
}
C
cc -O2 -o "$work/clone" "$work/clone.c"

# make_archive DIR N: N segments of timeline 1 from segment 1 on, 1 MiB each.
make_archive() {
  local dir=$1 n=$2 seg=$work/000000010000000000000034
  mkdir -p "$dir"
  zstd -qdf "$root/tests/corpus/pg16/1mb/000000010000000000000034.zst" -o "$seg"
  "$walpipe" push --batch 1 --archive "$dir" "$seg"
  mv "$dir/wal/0000000100000000/000000010000000000000034.zst" "$work/object.zst"
  "$work/clone" "$work/object.zst" "$dir" "$n"
}

make_archive "$work/archive" "$count"
make_archive "$work/archive-small" "$((count / 10))"
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
