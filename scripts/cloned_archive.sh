# shellcheck shell=bash
# Sourced by bench_list.sh and bench_expire.sh: an archive of N objects made in seconds and a few
# tens of megabytes. Each object is one real object's metadata frame, pushed by walpipe, with its
# own name, LSNs and commit times (and its checksum redone), then a hole up to the real object's
# size. Reading them costs what reading N real objects' metadata costs; their data frames are
# holes, so they serve list, expire and the like, never verify.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# cloned_archive WALPIPE WORK DIR N: N segments of timeline 1 from segment 1 on, 1 MiB each, in
# archive DIR, pushed by the walpipe WALPIPE; WORK holds the generator and the template object.
cloned_archive() {
  local walpipe=$1 work=$2 dir=$3 n=$4 seg=$2/000000010000000000000034
  if [[ ! -x $work/clone ]]; then
    # The generator: argv = template object, archive, count. Metadata offsets:
    # docs/object-format.md.
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
  fi
  mkdir -p "$dir"
  zstd -qdf "$REPO_ROOT/tests/corpus/pg16/1mb/000000010000000000000034.zst" -o "$seg"
  "$walpipe" push --batch 1 --archive "$dir" "$seg"
  mv "$dir/wal/0000000100000000/000000010000000000000034.zst" "$work/object.zst"
  "$work/clone" "$work/object.zst" "$dir" "$n"
}
