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
# commands' own CPU (user and system, from /proc), which a loaded machine disturbs less. Then the
# same comparison as PostgreSQL meets it with walpipe's defaults (look-ahead and prefetch on), over
# the 64 segments of bench_verify.sh's cached set (made if missing). Last, what OpenSSL costs a
# process that uses it once (bench/crypt_first_use), against a plain get's call: the floor under
# every call that no look-ahead or prefetcher serves.
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
# What the results name as measured: the checkout's commit is the binary's only when this run
# built it.
built_from=$(git -C "$REPO_ROOT" rev-parse --short HEAD)
if [[ -n ${WALPIPE_NO_BUILD:-} ]]; then
  built_from="as found in $BUILD_DIR (not built by this run; the checkout is at $built_from)"
elif ! git -C "$REPO_ROOT" diff --quiet HEAD -- engine tools; then
  built_from+="+changes"
fi
readonly built_from
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

# Freed memory that a virtual machine reports to its host is taken back, and the next write
# into it (the page cache a get fills) waits on the host: measured here, it tripled the kernel's
# copy into the page cache in some runs and not others, whichever side met it.
page_reporting="not in this kernel"
if [[ -r /sys/module/page_reporting/parameters/page_reporting_order ]]; then
  reporting_order=$(cat /sys/module/page_reporting/parameters/page_reporting_order)
  page_reporting="off (order $reporting_order, above any free block)"
  ((reporting_order > 10)) ||
    page_reporting="on, free blocks of $((4 << reporting_order)) KiB and up"
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
r=0
note "warm-up"
repetition 0
for ((r = 1; r <= reps; r++)); do
  note "repetition $r/$reps"
  repetition 1
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# As PostgreSQL meets them with walpipe's defaults: the 64 real segments of bench_verify.sh's
# cached set in a pg_wal look-alike, archived through bench/archive_loop (PostgreSQL's archiver)
# with `walpipe push` and its look-ahead, timed until every object is in place; then restored by
# back-to-back restore_command calls of `walpipe get` with its prefetcher, as recovery calls it
# when replay waits on nothing else. Plain and encrypted alternate run by run, the first swapped
# every repetition; the background pusher and prefetcher are waited for before the next run.
readonly WAL64=${WALPIPE_BENCH_DIR:-/var/tmp/walpipe-bench}/pgbench64
[[ -d $WAL64 ]] || bash "$REPO_ROOT/scripts/bench_verify.sh" --data-only >&2
mapfile -t segs64 < <(find "$WAL64" -maxdepth 1 -type f -regextype posix-extended \
  -regex '.*/[0-9A-F]{24}' -printf '%f\n' | sort)
((${#segs64[@]} > 0)) || die "no segments in $WAL64"
if [[ -z ${WALPIPE_NO_BUILD:-} ]]; then
  cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DWALPIPE_BUILD_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" --target archive_loop crypt_first_use >/dev/null
fi
readonly ARCHIVE_LOOP=$BUILD_DIR/bench/archive_loop CRYPT_FIRST_USE=$BUILD_DIR/bench/crypt_first_use
[[ -x $ARCHIVE_LOOP ]] || die "no bench/archive_loop in \"$BUILD_DIR\""
[[ -x $CRYPT_FIRST_USE ]] || die "no bench/crypt_first_use in \"$BUILD_DIR\""

# until_unlocked FILE: waits while a process holds FILE open (the look-ahead pusher's or the
# prefetcher's lock), polling without forking but for fuser itself.
until_unlocked() {
  local pause
  exec {pause}<> <(:)
  while [[ -n $(fuser "$1" 2>/dev/null) ]]; do read -rt 0.01 -u "$pause" _ || true; done
  exec {pause}<&-
}

# as_archived KIND: prints the wall seconds PostgreSQL's archiver takes over the 64 segments, and
# the machine's busy ticks until the look-ahead has stopped.
as_archived() {
  local kind=$1 dir=$work/la-$1 key_options="" files t0 t1 b0
  rm -rf "$dir" && mkdir -p "$dir" && chmod 700 "$dir"
  [[ $kind == encrypted ]] &&
    key_options="--encrypt-to $recipient --fingerprint-key $work/keys/fingerprint"
  pg_wal_like "$work/pg_wal" "$WAL64" "${segs64[@]}"
  sync
  b0=$(machine_busy)
  t0=$EPOCHREALTIME
  read -r files _ < <("$ARCHIVE_LOOP" "$work/pg_wal" "$WALPIPE push --archive $dir $key_options %p")
  wait_for_objects "$dir" ${#segs64[@]}
  t1=$EPOCHREALTIME
  ((files == ${#segs64[@]})) || die "$kind: archived $files of ${#segs64[@]} files"
  until_unlocked "$dir/.tmp/lookahead.lock"
  echo "$(echo "$t1 - $t0" | bc -l) $(($(machine_busy) - b0))"
}

# as_recovered KIND: prints the wall seconds of restore_command over the 64 segments, from the
# archive as_archived KIND left, and the machine's busy ticks until the prefetcher has stopped;
# every restored segment is compared with its original.
as_recovered() {
  local kind=$1 dir=$work/la-$1 out=$work/rec-$1 keys=() t0 t1 s b0 busy
  rm -rf "$out" && mkdir -p "$out"
  [[ $kind == encrypted ]] && keys=(--identity "$work/keys/identity")
  sync
  b0=$(machine_busy)
  t0=$EPOCHREALTIME
  for s in "${segs64[@]}"; do
    "$WALPIPE" get --archive "$dir" "${keys[@]}" "$s" "$out/RECOVERYXLOG" || die "get $kind $s failed"
    mv "$out/RECOVERYXLOG" "$out/$s"
  done
  t1=$EPOCHREALTIME
  until_unlocked "$out/walpipe_prefetch/prefetch.lock"
  busy=$(($(machine_busy) - b0))
  for s in "${segs64[@]}"; do
    cmp -s "$out/$s" "$WAL64/$s" || die "$kind: restored $s differs"
  done
  echo "$(echo "$t1 - $t0" | bc -l) $busy"
}

declare -A as_called as_called_cpu
note "as PostgreSQL calls them, walpipe's defaults: ${#segs64[@]} segments"
for ((r = 0; r <= reps; r++)); do
  if ((r % 2)); then order=(plain encrypted); else order=(encrypted plain); fi
  for kind in "${order[@]}"; do
    read -r a a_busy < <(as_archived "$kind")
    read -r g g_busy < <(as_recovered "$kind")
    # The first round warms the caches and is not counted.
    ((r == 0)) && continue
    as_called[push.$kind]+="$(echo "$a * 1000 / ${#segs64[@]}" | bc -l) "
    as_called[get.$kind]+="$(echo "$g * 1000 / ${#segs64[@]}" | bc -l) "
    as_called_cpu[push.$kind]+="$(echo "$a_busy * 1000 / $ticks_per_s / ${#segs64[@]}" | bc -l) "
    as_called_cpu[get.$kind]+="$(echo "$g_busy * 1000 / $ticks_per_s / ${#segs64[@]}" | bc -l) "
  done
  rm -rf "$work"/la-* "$work"/rec-*
done

# What OpenSSL costs a process that uses it once: a call of an encrypted archive that no
# look-ahead or prefetcher serves pays it whole, and a plain one does not pay it at all.
declare -A first_use
note "OpenSSL's first use in a process: 31 fresh processes"
for ((r = 0; r <= 30; r++)); do
  read -r load first again < <("$CRYPT_FIRST_USE") || die "crypt_first_use failed"
  ((r == 0)) && continue
  first_use[load]+="$load " first_use[first]+="$first " first_use[again]+="$again "
  first_use[both]+="$(echo "$load + $first" | bc -l) "
done

# paired_ratios OP: encrypted / plain of each call pair, in the order they ran.
paired_ratios() {
  paste -d' ' <(tr -s ' ' '\n' <<<"${ms[$1.encrypted]}") <(tr -s ' ' '\n' <<<"${ms[$1.plain]}") |
    awk 'NF == 2 && $2 > 0 { print $1 / $2 }'
}
calls=$((reps * ${#segs[@]}))
# compared PLAIN ENCRYPTED: "plain (spread) | encrypted (spread) | ratio of the medians" of two
# lists of times, as table cells.
compared() {
  local p e lo_p hi_p lo_e hi_e
  p=$(median <<<"$1")
  e=$(median <<<"$2")
  read -r lo_p hi_p < <(spread <<<"$1")
  read -r lo_e hi_e < <(spread <<<"$2")
  printf '%.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) | %.2f×' "$p" "$lo_p" "$hi_p" "$e" "$lo_e" "$hi_e" \
    "$(echo "$e / $p" | bc -l)"
}
row() {  # OP LABEL
  printf '| %s | %s | %.2f× | %.1f | %.1f | %.2f× |\n' "$2" \
    "$(compared "${ms[$1.plain]}" "${ms[$1.encrypted]}")" "$(paired_ratios "$1" | median)" \
    "$(echo "${ticks[$1.plain]} * 1000 / $ticks_per_s / $calls" | bc -l)" \
    "$(echo "${ticks[$1.encrypted]} * 1000 / $ticks_per_s / $calls" | bc -l)" \
    "$(echo "${ticks[$1.encrypted]} / ${ticks[$1.plain]}" | bc -l)"
}
as_called_row() {  # OP LABEL
  printf '| %s | %s | %s |\n' "$2" "$(compared "${as_called[$1.plain]}" "${as_called[$1.encrypted]}")" \
    "$(compared "${as_called_cpu[$1.plain]}" "${as_called_cpu[$1.encrypted]}")"
}
first_use_row() {  # PART LABEL
  local m lo hi
  m=$(median <<<"${first_use[$1]}")
  read -r lo hi < <(spread <<<"${first_use[$1]}")
  printf '| %s | %.2f (%.2f–%.2f) | %.0f %% |\n' "$2" "$m" "$lo" "$hi" \
    "$(echo "$m * 100 / $(median <<<"${ms[get.plain]}")" | bc -l)"
}
{
  echo "# Encryption at rest: push and get, plain against encrypted"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; walpipe $built_from (Release)"
  echo "- load average (1, 5, 15 min) before: $load_before; after: $load_after"
  echo "- free page reporting to the hypervisor: $page_reporting"
  echo "- ${#segs[@]} real 16 MiB pgbench segments (tests/corpus/pg15/pgbench), $reps repetitions"
  echo "  after an untimed one: $calls calls of each kind; one X25519 recipient"
  echo
  echo "| command, per 16 MiB segment | plain ms (spread) | encrypted ms (spread) | ratio of medians | median of paired ratios | CPU ms plain | CPU ms encrypted | CPU ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  row push "\`walpipe push --batch 1\`"
  row get "\`walpipe get --prefetch 0\`"
  echo
  echo "As PostgreSQL calls them with walpipe's defaults: ${#segs64[@]} real 16 MiB pgbench segments"
  echo "archived through bench/archive_loop (\`walpipe push\`, look-ahead on), timed until every object"
  echo "is in place, then restored by back-to-back restore_command calls (\`walpipe get\`, prefetch"
  echo "on); $reps runs of each after an untimed pair, plain and encrypted alternating. The machine's"
  echo "CPU (every process, from /proc/stat) counts the look-ahead and the prefetcher until they stop:"
  echo
  echo "| as PostgreSQL calls it, per 16 MiB segment | plain ms (spread) | encrypted ms (spread) | ratio of medians | machine CPU ms plain (spread) | encrypted (spread) | ratio of medians |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  as_called_row push "archive_command \`walpipe push\` (look-ahead)"
  as_called_row get "restore_command \`walpipe get\` (prefetch)"
  echo
  echo "What OpenSSL costs a process that uses it once (bench/crypt_first_use, 30 fresh processes,"
  echo "medians): what each call above with look-ahead or prefetch off pays on top of a plain call,"
  echo "before it encrypts or decrypts a byte. The look-ahead and the prefetcher pay it once."
  echo
  echo "| OpenSSL in a fresh process | ms (spread) | share of a plain \`walpipe get --prefetch 0\` |"
  echo "| --- | ---: | ---: |"
  first_use_row load "loading libcrypto"
  first_use_row first "first use of each primitive an age file needs"
  first_use_row both "both: OpenSSL's cost to one call"
  first_use_row again "the same primitives again in the same process"
} | tee "$RESULTS"
