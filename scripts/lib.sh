# shellcheck shell=bash
# What walpipe's scripts share. Every script starts with
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# which works from any current directory. It turns on strict mode and sets REPO_ROOT (the
# repository's absolute path) and SCRIPT (the calling script's name without .sh, for messages);
# it changes no directory. Sourcing it twice (a script and a library it sources) is harmless.

set -euo pipefail

if [[ -z ${WALPIPE_LIB_LOADED:-} ]]; then
  WALPIPE_LIB_LOADED=1
  REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  SCRIPT=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
  readonly WALPIPE_LIB_LOADED REPO_ROOT SCRIPT
fi

# note MESSAGE...: progress on stderr, prefixed with the script's name.
note() { echo "$SCRIPT: $*" >&2; }

# die MESSAGE...: the reason on stderr, then exit 1.
die() {
  echo "$SCRIPT: error: $*" >&2
  exit 1
}

# need_root [WHY]: dies unless run as root, saying why root is needed.
need_root() { [[ $(id -u) -eq 0 ]] || die "run as root${1:+: $1}"; }

# need_release BUILD_DIR: dies unless BUILD_DIR is a Release build: a benchmark never reports
# figures from a build with assertions or sanitizers on.
need_release() {
  grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$1/CMakeCache.txt" 2>/dev/null ||
    die "refusing to report from a build that is not Release"
}

# as_pg CMD...: CMD as the postgres OS user (root bypasses permission bits, PostgreSQL refuses
# to run as root).
as_pg() { runuser -u postgres -- "$@"; }

# median: the median of the numbers on stdin (any blanks or newlines between them). An even
# count takes the mean of the two middle values. Prints nothing for no numbers.
median() {
  tr -s ' \t' '\n\n' | sort -g | awk 'NF { a[++n] = $1 }
    END { if (n) printf "%.12g\n", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }'
}

# spread: the smallest and the largest of the numbers on stdin, as "LOW HIGH".
spread() {
  tr -s ' \t' '\n\n' | sort -g |
    awk 'NF { if (!n++) low = $1; high = $1 } END { if (n) print low, high }'
}

# median_ms RUNS CMD...: the median wall time of RUNS runs of CMD, in milliseconds with one
# decimal; CMD's output and exit status are ignored.
median_ms() {
  local runs=$1 i start end
  shift
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
  done | median | awk '{ printf "%.1f", $1 / 1000 }'
}

# read_child_ticks: sets child_ticks to the CPU ticks (user and system; getconf CLK_TCK a second)
# used so far by the waited-for children of this shell, read without forking: a subshell would
# read its own.
read_child_ticks() {
  local st
  read -r -a st <"/proc/$BASHPID/stat"
  # shellcheck disable=SC2034  # read by the caller
  child_ticks=$((st[15] + st[16]))
}

# peak_kib CMD...: the peak resident memory of CMD, in KiB.
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

# pgbench_segments DIR: the real 16 MiB pgbench segments of tests/corpus, decompressed into DIR
# (made if need be) under their segment names, as the benchmarks of push and get use them.
pgbench_segments() {
  local f
  command -v zstd >/dev/null || die "no zstd: run scripts/setup.sh"
  mkdir -p "$1"
  for f in "$REPO_ROOT"/tests/corpus/pg15/pgbench/*.zst; do
    zstd -q -d -c "$f" >"$1/$(basename "$f" .zst)"
  done
}

# pg_wal_like DIR FROM SEGMENT...: a pg_wal look-alike in DIR (emptied first), for push's
# look-ahead: each SEGMENT of folder FROM, hard-linked where it can be, and its .ready file.
pg_wal_like() {
  local dir=$1 from=$2 s
  shift 2
  rm -rf "$dir" && mkdir -p "$dir/archive_status"
  for s in "$@"; do
    ln "$from/$s" "$dir/$s" 2>/dev/null || cp "$from/$s" "$dir/$s"
    : >"$dir/archive_status/$s.ready"
  done
}

# machine_busy: the CPU ticks every core has spent busy since boot (user, nice, system, irq,
# softirq, steal; not idle, not waiting for I/O), for the CPU of work that runs in processes a
# benchmark does not wait for: background pushers, prefetchers and kernel threads included.
machine_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# wait_for_objects ARCHIVE COUNT: until the archive folder ARCHIVE holds COUNT segment objects
# (.zst or .zst.age), for a look-ahead that goes on after PostgreSQL's last call. Polled without
# forking, so that the wait takes no CPU from the pusher it waits for.
wait_for_objects() {
  local objects pause
  exec {pause}<> <(:)
  while :; do
    objects=("$1"/wal/*/*.zst*)
    ((${#objects[@]} < $2)) || break
    read -rt 0.001 -u "$pause" _ || true
  done
  exec {pause}<&-
}

# backup_history SEGMENT START STOP CHECKPOINT START_TIME STOP_TIME: the text of a backup
# history file (SEGMENT.OFFSET.backup), as pg_backup_stop writes it, for a streamed backup of a
# primary on timeline 1 from LSN START to STOP, both in SEGMENT.
backup_history() {
  cat <<B
START WAL LOCATION: $2 (file $1)
STOP WAL LOCATION: $3 (file $1)
CHECKPOINT LOCATION: $4
BACKUP METHOD: streamed
BACKUP FROM: primary
START TIME: $5
LABEL: bench
START TIMELINE: 1
STOP TIME: $6
STOP TIMELINE: 1
B
}

# release_build BUILD_DIR: builds walpipe in BUILD_DIR as Release (unless WALPIPE_NO_BUILD=1:
# then it is used as it is) and dies unless it is a Release build holding tools/walpipe.
release_build() {
  if [[ -z ${WALPIPE_NO_BUILD:-} ]]; then
    cmake -S "$REPO_ROOT" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DWALPIPE_BUILD_TESTS=OFF >/dev/null
    cmake --build "$1" --target walpipe >/dev/null
  fi
  need_release "$1"
  [[ -x $1/tools/walpipe ]] || die "no walpipe in \"$1\""
}
