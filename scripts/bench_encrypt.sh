#!/usr/bin/env bash
# What encryption at rest costs push and get (issue 13's target: encrypted within 1.1× of
# plain). The four real 16 MiB pgbench segments of tests/corpus are pushed one call at a time
# (`walpipe push --batch 1`, as PostgreSQL's archiver calls it with look-ahead off) into a plain
# archive folder and into an encrypted one (an age X25519 recipient made with Debian's
# age-keygen, and a fingerprint key), then got back (`walpipe get --prefetch 0`, the restored
# file kept under its segment name as PostgreSQL keeps it). Plain and encrypted alternate call
# by call, the first of each pair swapped every repetition, so both meet the same load. Each
# call is timed on its own; medians per segment, the ratio of the medians and the median of the
# per-call ratios (plain and encrypted call of the same segment in the same repetition), and the
# commands' own CPU (user and system, from /proc), which a loaded machine disturbs less.
#
# Usage: scripts/bench_encrypt.sh [REPETITIONS] (default 7), after an untimed first repetition.
# WALPIPE_BUILD_DIR (default build-bench) is built as Release, unless WALPIPE_NO_BUILD=1 (then
# its tools/walpipe is used as it is). Results: bench/results/encrypt.md.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly BUILD_DIR=${WALPIPE_BUILD_DIR:-$REPO_ROOT/build-bench}
readonly RESULTS=${WALPIPE_RESULTS:-$REPO_ROOT/bench/results/encrypt.md}
reps=${1:-7}

command -v age-keygen >/dev/null || die "no age-keygen: run scripts/setup.sh"
command -v zstd >/dev/null || die "no zstd: run scripts/setup.sh"
release_build "$BUILD_DIR"
readonly WALPIPE=$BUILD_DIR/tools/walpipe

work=$(mktemp -d /var/tmp/walpipe-encrypt.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/keys"
pgbench_segments "$work/src"
mapfile -t segs < <(ls "$work/src")
((${#segs[@]} > 0)) || die "no segments in tests/corpus/pg15/pgbench"

# Keys as an operator makes them (README, Encryption): the identity stays on the restore host,
# the push host gets its recipient and the fingerprint key.
age-keygen -o "$work/keys/identity" 2>/dev/null
recipient=$(age-keygen -y "$work/keys/identity")
head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$work/keys/fingerprint"
chmod 600 "$work/keys/identity" "$work/keys/fingerprint"

# call OP KIND SEGMENT: one push or get of SEGMENT, plain or encrypted.
call() {
  local op=$1 kind=$2 s=$3 keys=()
  if [[ $op == push ]]; then
    [[ $kind == encrypted ]] &&
      keys=(--encrypt-to "$recipient" --fingerprint-key "$work/keys/fingerprint")
    "$WALPIPE" push --batch 1 --archive "$work/archive-$kind" "${keys[@]}" "$work/src/$s"
  else
    [[ $kind == encrypted ]] && keys=(--identity "$work/keys/identity")
    "$WALPIPE" get --prefetch 0 --archive "$work/archive-$kind" "${keys[@]}" "$s" \
      "$work/out-$kind/RECOVERYXLOG"
  fi
}

ticks_per_s=$(getconf CLK_TCK)
readonly ticks_per_s

declare -A ms ticks
# timed KEY CMD...: runs CMD (which must succeed), adds its wall time in ms to ms[KEY] and its
# CPU ticks to ticks[KEY].
timed() {
  local key=$1 t0 t1 c0
  shift
  read_child_ticks; c0=$child_ticks
  t0=$EPOCHREALTIME
  "$@" || die "failed: $*"
  t1=$EPOCHREALTIME
  read_child_ticks
  ms[$key]+="$(echo "($t1 - $t0) * 1000" | bc -l) "
  ticks[$key]=$((${ticks[$key]:-0} + child_ticks - c0))
}

# repetition COUNTED: one fresh pair of archives, every segment pushed, then got, alternating.
repetition() {
  local counted=$1 order op kind s
  rm -rf "$work/archive-plain" "$work/archive-encrypted" "$work/out-plain" "$work/out-encrypted"
  for kind in plain encrypted; do
    mkdir -p "$work/archive-$kind" "$work/out-$kind" && chmod 700 "$work/archive-$kind"
  done
  if ((r % 2)); then order=(plain encrypted); else order=(encrypted plain); fi
  sync  # no call pays for writing back what the repetition before left dirty
  for op in push get; do
    for s in "${segs[@]}"; do
      for kind in "${order[@]}"; do
        if ((counted)); then
          timed "$op.$kind" call "$op" "$kind" "$s"
        else
          call "$op" "$kind" "$s" || die "failed: $op $kind $s"
        fi
        if [[ $op == get ]]; then mv "$work/out-$kind/RECOVERYXLOG" "$work/out-$kind/$s"; fi
      done
    done
  done
  for s in "${segs[@]}"; do
    cmp -s "$work/out-encrypted/$s" "$work/src/$s" || die "restored $s differs"
  done
  [[ -n $(find "$work/archive-encrypted/wal" -name '*.zst.age') ]] ||
    die "the encrypted archive holds no .zst.age object"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
r=0
note "warm-up"
repetition 0
for ((r = 1; r <= reps; r++)); do
  note "repetition $r/$reps"
  repetition 1
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# paired_ratios OP: encrypted / plain of each call pair, in the order they ran.
paired_ratios() {
  paste -d' ' <(tr -s ' ' '\n' <<<"${ms[$1.encrypted]}") <(tr -s ' ' '\n' <<<"${ms[$1.plain]}") |
    awk 'NF == 2 && $2 > 0 { print $1 / $2 }'
}
calls=$((reps * ${#segs[@]}))
row() {  # OP LABEL
  local p e lo_p hi_p lo_e hi_e
  p=$(median <<<"${ms[$1.plain]}")
  e=$(median <<<"${ms[$1.encrypted]}")
  read -r lo_p hi_p < <(spread <<<"${ms[$1.plain]}")
  read -r lo_e hi_e < <(spread <<<"${ms[$1.encrypted]}")
  printf '| %s | %.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) | %.2f× | %.2f× | %.1f | %.1f | %.2f× |\n' \
    "$2" "$p" "$lo_p" "$hi_p" "$e" "$lo_e" "$hi_e" "$(echo "$e / $p" | bc -l)" \
    "$(paired_ratios "$1" | median)" \
    "$(echo "${ticks[$1.plain]} * 1000 / $ticks_per_s / $calls" | bc -l)" \
    "$(echo "${ticks[$1.encrypted]} * 1000 / $ticks_per_s / $calls" | bc -l)" \
    "$(echo "${ticks[$1.encrypted]} / ${ticks[$1.plain]}" | bc -l)"
}
{
  echo "# Encryption at rest: push and get, plain against encrypted"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; walpipe" \
    "$(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- engine tools || echo '+changes') (Release)"
  echo "- load average (1, 5, 15 min) before: $load_before; after: $load_after"
  echo "- ${#segs[@]} real 16 MiB pgbench segments (tests/corpus/pg15/pgbench), $reps repetitions"
  echo "  after an untimed one: $calls calls of each kind; one X25519 recipient"
  echo
  echo "| command, per 16 MiB segment | plain ms (spread) | encrypted ms (spread) | ratio of medians | median of paired ratios | CPU ms plain | CPU ms encrypted | CPU ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  row push "\`walpipe push --batch 1\`"
  row get "\`walpipe get --prefetch 0\`"
} | tee "$RESULTS"
