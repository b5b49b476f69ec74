#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz and runs each for SECONDS (default 60),
# two at a time, starting from a throwaway copy of fuzz/corpus/<target>/ so that the committed
# corpus only grows by hand. Exits 1 when any target crashes, leaks, times out or runs out of
# memory; the input that did it is kept under fuzz/artifacts/ and its head printed.
#
#   scripts/fuzz.sh [SECONDS]
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS]" >&2
  exit 2
fi
root=$REPO_ROOT
build=$root/build-fuzz
# Two cores: more parallel runs would only slow each one down.
parallel=2

mapfile -t targets < <(find "$root/fuzz" -maxdepth 1 -name '*_fuzz.cc' -printf '%f\n' |
  sed 's/\.cc$//' | sort)

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DWALPIPE_BUILD_FUZZ=ON -DWALPIPE_BUILD_TESTS=OFF -DWALPIPE_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/walpipe-fuzz.XXXXXX")
# An interrupted run stops its own fuzzers rather than leaving them to write into a deleted dir.
# shellcheck disable=SC2317  # reached through the trap
cleanup() {
  local status=$? running
  mapfile -t running < <(jobs -p)
  ((${#running[@]} == 0)) || kill "${running[@]}" 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
artifacts=$root/fuzz/artifacts/run-$(date +%Y%m%d-%H%M%S)
mkdir -p "$artifacts"

run_target() {
  local target=$1
  cp -r "$root/fuzz/corpus/$target" "$work/$target"
  # -timeout turns a hang into a reported failure instead of a stalled CI job. The loader may
  # legitimately hold a 1 GiB segment, hence the RSS limit above libFuzzer's 2 GiB default.
  local rc=0
  "$build/fuzz/$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "$work/$target" \
    >"$work/$target.log" 2>&1 || rc=$?
  echo "$rc" >"$work/$target.rc"
}

start=$SECONDS
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  echo "fuzzing $target for ${seconds}s"
  run_target "$target" &
done
wait

# A run that crashed on a seed has printed neither statistics nor coverage.
final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
last_cov() { { grep -o 'cov: [0-9]*' "$log" || true; } | tail -1 | cut -d' ' -f2; }

failed=0
printf '\n%-20s %-7s %12s %9s %6s %8s\n' target result execs "exec/s" cov rss_mb
for target in "${targets[@]}"; do
  result=ok
  [[ $(cat "$work/$target.rc" 2>/dev/null) == 0 ]] || result=FAILED
  log=$work/$target.log
  cov=$(last_cov)
  printf '%-20s %-7s %12s %9s %6s %8s\n' "$target" "$result" "$(final_stat number_of_executed_units)" \
    "$(final_stat average_exec_per_sec)" "${cov:-?}" "$(final_stat peak_rss_mb)"
  if [[ $result != ok ]]; then
    failed=1
    echo "---- $target log (last 60 lines)"
    tail -n 60 "$log"
    for input in "$artifacts/$target"-*; do
      [[ -e $input ]] || continue
      echo "---- crash input: $input ($(wc -c <"$input") bytes), first 256 bytes:"
      head -c 256 "$input" | xxd
      echo "---- base64 of the first 1024 bytes:"
      head -c 1024 "$input" | base64
    done
  fi
done
rmdir "$artifacts" 2>/dev/null || true
echo "fuzzing took $((SECONDS - start))s; ${SECONDS}s in all, build included"
exit "$failed"
