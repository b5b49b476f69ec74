# shellcheck shell=bash
# Sourced by the benchmarks of the operator commands (bench_status.sh, bench_list.sh): one way
# to time a command and one to weigh it, so their tables mean the same thing.

# median_ms RUNS CMD...: the median wall time of RUNS runs of CMD, in milliseconds (an even
# count takes the mean of the middle two).
median_ms() {
  local runs=$1 i start end
  shift
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo $(((end - start) / 1000))
  done | sort -n | awk '{a[NR] = $1} END {printf "%.1f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) / 1000}'
}

# peak_kib CMD...: the peak resident memory of CMD, in KiB.
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
