#!/usr/bin/env bash
# Archive-side benchmark for one segment at a time, as PostgreSQL calls archive_command (through
# bench/archive_loop, which does what its archiver does): (a) the seed command
# `test ! -f DIR/%f && cp %p DIR/%f`, (b) the same followed by `sync DIR/%f`, (c) pgBackRest
# archive-push (zst, lz4, async), (d) `walpipe push --batch 1`, (e) `walpipe push` with
# look-ahead, and the floor under (e): its pusher and PostgreSQL's confirming calls measured
# apart. Then the restore side: `cp` of the raw archived segment versus `walpipe get` and
# pgBackRest archive-get. Interleaved repetitions, medians. Also peak RSS, and with a backlog.
#
# The WAL is 64 real 16 MiB pgbench segments made (and cached) by scripts/bench_verify.sh.
# Usage: scripts/bench_push.sh [REPETITIONS] (default 5). Run as root on an idle machine.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$REPO_ROOT/scripts/setup.sh" bench >&2
readonly BENCH_DIR=${WALPIPE_BENCH_DIR:-/var/tmp/walpipe-bench}
readonly WAL=$BENCH_DIR/pgbench64
readonly WORK=$BENCH_DIR/push-work
readonly BUILD_DIR=$REPO_ROOT/build-bench
readonly RESULTS=$REPO_ROOT/bench/results/push.md
reps=${1:-5}

[[ -d $WAL ]] || bash "$REPO_ROOT/scripts/bench_verify.sh" --data-only
mapfile -t segs < <(find "$WAL" -maxdepth 1 -type f -regextype posix-extended \
  -regex '.*/[0-9A-F]{24}' -printf '%f\n' | sort)
((${#segs[@]} > 0)) || die "no segments in $WAL"

cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWALPIPE_BUILD_TESTS=OFF -DWALPIPE_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" --target walpipe stage_bench archive_loop >/dev/null
need_release "$BUILD_DIR"
readonly WALPIPE=$BUILD_DIR/tools/walpipe
readonly ARCHIVE_LOOP=$BUILD_DIR/bench/archive_loop

now() { date +%s.%N; }
ticks=$(getconf CLK_TCK)
readonly ticks_per_s=$ticks

# pgBackRest 2.45 from Debian, as its documentation sets it up, against the stopped cluster that
# wrote the WAL (its pg_control must match): sync zst, sync lz4, and async with process-max=2.
readonly DATA=$WAL-data
have_pgbackrest() { command -v pgbackrest >/dev/null && [[ -d $DATA ]]; }
pgbr_conf() { echo "$WORK/$1/pgbackrest.conf"; }
pgbr() { pgbackrest --config="$(pgbr_conf "$1")" --stanza=bench "${@:2}"; }
pgbr_setup() {
  local kind=$1 dir=$WORK/$1
  rm -rf "$dir" && mkdir -p "$dir/repo" "$dir/spool" "$dir/lock" "$dir/log"
  cp -a "$DATA" "$dir/data"
  mkdir -p "$dir/data/pg_wal/archive_status"
  for s in "${segs[@]}"; do
    ln "$WAL/$s" "$dir/data/pg_wal/$s" 2>/dev/null || cp "$WAL/$s" "$dir/data/pg_wal/$s"
    : >"$dir/data/pg_wal/archive_status/$s.ready"
  done
  {
    echo "[global]"
    echo "repo1-path=$dir/repo"
    echo "spool-path=$dir/spool"
    echo "lock-path=$dir/lock"
    echo "log-path=$dir/log"
    echo "log-level-file=off"
    case $kind in
      pgbr_zst) echo "compress-type=zst" ;;
      pgbr_lz4) echo "compress-type=lz4" ;;
      pgbr_async) printf 'compress-type=zst\narchive-async=y\nprocess-max=2\n' ;;
    esac
    echo "[bench]"
    echo "pg1-path=$dir/data"
  } >"$(pgbr_conf "$kind")"
  pgbr "$kind" --no-online stanza-create >/dev/null
}

# run_archive KIND: one fresh archive, every segment once, through archive_loop (PostgreSQL's
# archiver: history first then oldest, system() per file, .ready renamed to .done in-process);
# prints "wall_s cpu_s bytes busy_s" (cpu_s: the commands' own, waited for; busy_s: the whole
# machine's CPU time meanwhile, background pushers and kernel threads included).
run_archive() {
  local kind=$1 dir=$WORK/$1 pg_wal=$WORK/pg_wal command
  if [[ $kind == pgbr_* ]]; then
    pgbr_setup "$kind"
    dir=$WORK/$kind/repo
    pg_wal=$WORK/$kind/data/pg_wal
  else
    rm -rf "$dir" && mkdir -p "$dir" && chmod 700 "$dir"
    pg_wal_like "$WORK/pg_wal" "$WAL" "${segs[@]}"
  fi
  case $kind in
    cp) command="test ! -f $dir/%f && cp %p $dir/%f" ;;
    cp_sync) command="test ! -f $dir/%f && cp %p $dir/%f && sync $dir/%f" ;;
    walpipe) command="$WALPIPE push --batch 1 --archive $dir %p" ;;
    walpipe_lookahead) command="$WALPIPE push --archive $dir %p" ;;
    pgbr_*) command="pgbackrest --config=$(pgbr_conf "$kind") --stanza=bench archive-push %p" ;;
  esac
  sync
  local files wall used m0 m1
  m0=$(machine_busy)
  read -r files wall used < <("$ARCHIVE_LOOP" "$pg_wal" "$command")
  # Background look-ahead work counts until every object is in place.
  [[ $kind == walpipe_lookahead ]] && wait_for_objects "$dir" ${#segs[@]}
  m1=$(machine_busy)
  ((files == ${#segs[@]})) || die "$kind archived $files of ${#segs[@]} files"
  local bytes
  bytes=$(find "$dir" -type f -name '0*' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  echo "$wall $used $bytes $(echo "($m1 - $m0) / $ticks" | bc -l)"
}

# Where the look-ahead time goes, for the floor it cannot go below: the pusher on its own (one call
# for the oldest file, then nothing until every object is in place), and PostgreSQL's calls on
# their own (every file already archived: each only confirms). Each prints "wall_s busy_s".
run_pusher_alone() {
  local dir=$WORK/pusher_alone m0 t0 t1 m1
  rm -rf "$dir" && mkdir -p "$dir" && chmod 700 "$dir"
  pg_wal_like "$WORK/pg_wal" "$WAL" "${segs[@]}"
  sync
  m0=$(machine_busy); t0=$(now)
  "$WALPIPE" push --archive "$dir" "$WORK/pg_wal/${segs[0]}"
  wait_for_objects "$dir" ${#segs[@]}
  t1=$(now); m1=$(machine_busy)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "($m1 - $m0) / $ticks" | bc -l)"
}
run_confirm_alone() {
  local files wall used m0 m1
  pg_wal_like "$WORK/pg_wal" "$WAL" "${segs[@]}"
  m0=$(machine_busy)
  read -r files wall used < <("$ARCHIVE_LOOP" "$WORK/pg_wal" \
    "$WALPIPE push --archive $WORK/walpipe_lookahead %p")
  m1=$(machine_busy)
  echo "$wall $(echo "($m1 - $m0) / $ticks" | bc -l)"
}

# run_restore_ahead: as PostgreSQL sees prefetching while it replays between calls: before each
# call (untimed) the segment is given up to 5 s to reach the spool, then only the call itself is
# timed. Prints "wall_s cpu_s" summed over the calls.
run_restore_ahead() {
  local out=$WORK/restore-walpipe_ahead wall=0 used=0 t0 t1 c0 pause
  rm -rf "$out" && mkdir -p "$out"
  sync  # no run pays for writing back the dirty pages of the one before
  exec {pause}<> <(:)
  for s in "${segs[@]}"; do
    for ((w = 0; w < 5000; w++)); do
      [[ -e $out/walpipe_prefetch/$s ]] && break
      read -rt 0.001 -u "$pause" _ || true
    done
    read_child_ticks; c0=$child_ticks; t0=$EPOCHREALTIME
    "$WALPIPE" get --archive "$WORK/walpipe" "$s" "$out/RECOVERYXLOG"
    t1=$EPOCHREALTIME; read_child_ticks
    wall=$(echo "$wall + $t1 - $t0" | bc -l)
    used=$((used + child_ticks - c0))
    mv "$out/RECOVERYXLOG" "$out/$s"
  done
  exec {pause}<&-
  echo "$wall $(echo "$used / $ticks_per_s" | bc -l)"
}

# run_restore KIND: restores every segment into a fresh folder; prints "wall_s cpu_s".
run_restore() {
  local kind=$1 out=$WORK/restore-$1
  rm -rf "$out" && mkdir -p "$out"
  sync
  local c0 t0 t1 used=0
  t0=$(now)
  for s in "${segs[@]}"; do
    read_child_ticks; c0=$child_ticks
    case $kind in
      cp) cp "$WORK/cp_sync/$s" "$out/RECOVERYXLOG" ;;
      walpipe) "$WALPIPE" get --prefetch 0 --archive "$WORK/walpipe" "$s" "$out/RECOVERYXLOG" ;;
      walpipe_prefetch) "$WALPIPE" get --archive "$WORK/walpipe" "$s" "$out/RECOVERYXLOG" ;;
      pgbr) pgbr pgbr_zst archive-get "$s" "$out/RECOVERYXLOG" >/dev/null ;;
    esac
    read_child_ticks; used=$((used + child_ticks - c0))
    # PostgreSQL keeps what it restored under the segment's name: a rename, not a delete.
    mv "$out/RECOVERYXLOG" "$out/$s"
  done
  t1=$(now)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$used / $ticks_per_s" | bc -l)"
}

declare -A wall cpu bytes busy
compress_ref=""
for ((r = 1; r <= reps; r++)); do
  note "repetition $r/$reps"
  pgbr_kinds=()
  have_pgbackrest && pgbr_kinds=(pgbr_zst pgbr_lz4 pgbr_async)
  for kind in cp cp_sync walpipe walpipe_lookahead "${pgbr_kinds[@]}"; do
    read -r w c b m < <(run_archive "$kind")
    wall[$kind]+="$w "; cpu[$kind]+="$c "; bytes[$kind]=$b; busy[$kind]+="$m "
  done
  read -r w m < <(run_confirm_alone)
  wall[confirm_alone]+="$w "; busy[confirm_alone]+="$m "
  read -r w m < <(run_pusher_alone)
  wall[pusher_alone]+="$w "; busy[pusher_alone]+="$m "
  # The look-ahead target's reference: the same segments compressed at the default level on all
  # cores by walpipe's compressor pool, with nothing else (ms per segment).
  compress_ref+="$(WALPIPE_BENCH_BATCH=$WAL "$BUILD_DIR/bench/stage_bench" \
    --benchmark_filter=compress/batch --benchmark_format=csv 2>/dev/null |
    awk -F, '/compress\/batch/ {print $11}') "
  restore_kinds=(cp walpipe walpipe_prefetch)
  have_pgbackrest && restore_kinds+=(pgbr)
  read -r w c < <(run_restore_ahead)
  wall[get_walpipe_ahead]+="$w "; cpu[get_walpipe_ahead]+="$c "
  for kind in "${restore_kinds[@]}"; do
    read -r w c < <(run_restore "$kind")
    wall[get_$kind]+="$w "; cpu[get_$kind]+="$c "
  done
done

n=${#segs[@]}
mib=$(( n * 16 ))
# Per segment: median wall and its spread over the repetitions (fastest–slowest run), segments/s,
# MiB/s, CPU, bytes written, and speed relative to the reference row's median.
stat_of() { median <<<"$1"; }
row() {  # label key bytes_written reference_key [reference_bytes]
  local w c lo hi ref cref m="" cpu_ratio bytes_ratio=""
  w=$(stat_of "${wall[$2]}")
  c=$(stat_of "${cpu[$2]}")
  read -r lo hi < <(spread <<<"${wall[$2]}")
  ref=$(stat_of "${wall[$4]}")
  cref=$(stat_of "${cpu[$4]}")
  [[ -n ${busy[$2]:-} ]] && m=$(printf '%.1f' "$(echo "$(stat_of "${busy[$2]}") * 1000 / $n" | bc -l)")
  cpu_ratio=$(printf '%.2fx' "$(echo "$c / $cref" | bc -l)")
  [[ -n $3 && -n ${5:-} ]] && bytes_ratio=$(printf '%.1f%%' "$(echo "$3 * 100 / $5" | bc -l)")
  printf '| %s | %.1f | %.1f–%.1f | %.1f | %.0f | %.1f (%s) | %s | %s | %s | %.2fx |\n' "$1" \
    "$(echo "$w * 1000 / $n" | bc -l)" "$(echo "$lo * 1000 / $n" | bc -l)" \
    "$(echo "$hi * 1000 / $n" | bc -l)" "$(echo "$n / $w" | bc -l)" "$(echo "$mib / $w" | bc -l)" \
    "$(echo "$c * 1000 / $n" | bc -l)" "$cpu_ratio" "$m" "$3" "$bytes_ratio" \
    "$(echo "$ref / $w" | bc -l)"
}
# backlog_rss N: peak RSS (KiB) of PostgreSQL's call for the oldest of N .ready files (the 64
# real segments, then status files of segments not in pg_wal, which the pusher fails to find and
# stops at) and of the look-ahead pusher it starts, which runs through the whole backlog.
backlog_rss() {
  local n=$1 dir=$WORK/backlog i first=${segs[0]} fg worker=0 pid hwm
  rm -rf "$dir" && mkdir -p "$dir/pg_wal/archive_status" "$dir/archive"
  for s in "${segs[@]}"; do
    ln "$WAL/$s" "$dir/pg_wal/$s" 2>/dev/null || cp "$WAL/$s" "$dir/pg_wal/$s"
    : >"$dir/pg_wal/archive_status/$s.ready"
  done
  for ((i = 0; i < n - ${#segs[@]}; i++)); do
    : >"$dir/pg_wal/archive_status/$(printf '00000001%08X%08X' $((16 + i / 256)) $((i % 256))).ready"
  done
  fg=$( { /usr/bin/time -f %M "$WALPIPE" push --archive "$dir/archive" "$dir/pg_wal/$first"; } 2>&1 | tail -1)
  # The pusher is the only process left with the archive's lock file open.
  while pid=$(fuser "$dir/archive/.tmp/lookahead.lock" 2>/dev/null | awk '{print $1}') && [[ -n $pid ]]; do
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    ((${hwm:-0} > worker)) && worker=$hwm
    sleep 0.01
  done
  echo "$fg $worker"
}
read -r rss_fg_small rss_worker_small < <(backlog_rss "${#segs[@]}")
read -r rss_fg_big rss_worker_big < <(backlog_rss 10000)

rss_push=$( { rm -rf "$WORK/rss" && mkdir -p "$WORK/rss"; /usr/bin/time -f %M "$WALPIPE" push --archive "$WORK/rss" "$WAL/${segs[0]}"; } 2>&1 | tail -1)
rss_get=$( { /usr/bin/time -f %M "$WALPIPE" get --archive "$WORK/rss" "${segs[0]}" "$WORK/rss/out"; } 2>&1 | tail -1)

{
  echo "# walpipe push/get vs cp, one segment per call"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "- load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- walpipe $(git -C "$REPO_ROOT" rev-parse --short HEAD) (Release), zstd level $("$WALPIPE" push --help | grep -- --level= | grep -o "default: [-0-9]*" | cut -d" " -f2) (the default), $(df -T "$WORK" | awk 'NR==2 {print $2}') at $WORK"
  echo "- $n consecutive 16 MiB pgbench segments ($mib MiB), warm page cache, median of $reps interleaved runs"
  echo
  echo "| archive_command | ms per segment (median) | spread | segments/s | MiB/s of WAL | CPU ms per segment (vs (a)) | machine CPU ms per segment | bytes written | bytes vs (a) | speed vs (a) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  row '(a) test ! -f && cp (seed, not durable)' cp "${bytes[cp]}" cp "${bytes[cp]}"
  row '(b) test ! -f && cp && sync FILE (durable cp)' cp_sync "${bytes[cp_sync]}" cp "${bytes[cp]}"
  row '(d) walpipe push --batch 1 (no look-ahead)' walpipe "${bytes[walpipe]}" cp "${bytes[cp]}"
  row '(e) walpipe push (look-ahead, as archive_command)' walpipe_lookahead "${bytes[walpipe_lookahead]}" cp "${bytes[cp]}"
  if have_pgbackrest; then
    row '(c) pgBackRest archive-push, zst' pgbr_zst "${bytes[pgbr_zst]}" cp "${bytes[cp]}"
    row '(c) pgBackRest archive-push, lz4' pgbr_lz4 "${bytes[pgbr_lz4]}" cp "${bytes[cp]}"
    row '(c) pgBackRest archive-push, async, process-max=2, zst' pgbr_async "${bytes[pgbr_async]}" cp "${bytes[cp]}"
  fi
  ref_ms=$(stat_of "$compress_ref")
  lookahead_ms=$(echo "$(stat_of "${wall[walpipe_lookahead]}") * 1000 / $n" | bc -l)
  echo
  printf 'Compression alone (zstd level %s by walpipe'"'"'s compressor pool on all cores, the same %d\n' \
    "$("$WALPIPE" push --help | grep -- --level= | grep -o "default: [-0-9]*" | cut -d" " -f2)" "$n"
  printf 'segments, nothing else; median of %d): %.1f ms per segment. (e) takes %.2fx that (the\n' \
    "$reps" "$ref_ms" "$(echo "$lookahead_ms / $ref_ms" | bc -l)"
  echo "target is at most 1.30x)."
  echo
  # The floor: the CPU the pusher needs on its own plus what PostgreSQL's confirming calls need,
  # shared by every core, with no waiting at all.
  per_seg() { echo "$(stat_of "$1") * 1000 / $n" | bc -l; }
  pusher_cpu=$(per_seg "${busy[pusher_alone]}")
  confirm_cpu=$(per_seg "${busy[confirm_alone]}")
  floor_ms=$(echo "($pusher_cpu + $confirm_cpu) / $(nproc)" | bc -l)
  echo "Where (e)'s time goes (medians, per segment): the look-ahead pusher on its own takes"
  printf '%.1f ms (%.1f ms of the machine'"'"'s CPU); PostgreSQL'"'"'s calls on their own, each only
' \
    "$(per_seg "${wall[pusher_alone]}")" "$pusher_cpu"
  printf 'confirming an archived file (hash of the file in pg_wal, process start, fsyncs), take %.1f ms
' \
    "$(per_seg "${wall[confirm_alone]}")"
  printf '(%.1f ms of CPU, the shell and archive_loop included). On %d cores, (e) can take no less
' \
    "$confirm_cpu" "$(nproc)"
  printf 'than (%.1f + %.1f) / %d = %.1f ms per segment, %.2fx the compression alone.
' \
    "$pusher_cpu" "$confirm_cpu" "$(nproc)" "$floor_ms" "$(echo "$floor_ms / $ref_ms" | bc -l)"
  echo
  echo "| restore_command | ms per segment (median) | spread | segments/s | MiB/s of WAL restored | CPU ms per segment (vs cp) | | | | speed vs cp |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |"
  row 'cp of the raw archived segment' get_cp '' get_cp
  row 'walpipe get --prefetch 0' get_walpipe '' get_cp
  row 'walpipe get (prefetch, as restore_command), back to back' get_walpipe_prefetch '' get_cp
  row 'walpipe get, the segment already prefetched (replay in between)' get_walpipe_ahead '' get_cp
  if have_pgbackrest; then row 'pgBackRest archive-get (zst repo)' get_pgbr '' get_cp; fi
  echo
  echo "Every archive_command runs through bench/archive_loop.cc, which does what PostgreSQL's"
  echo "archiver does: history files first then the oldest, one system() call per file, and the"
  echo "rename of .ready to .done in its own process."
  echo
  echo "CPU is that of the commands PostgreSQL runs, one per segment; the background look-ahead"
  echo "pusher, the prefetcher and pgBackRest's async process are not counted there, their work shows"
  echo "in the wall time of the calls that wait for them and in the machine's CPU (all processes,"
  echo "kernel threads included, while the batch ran). Restore wall times include the \`mv\` with"
  echo "which each restored file is kept under its segment name (as PostgreSQL renames"
  echo "RECOVERYXLOG); restore CPU is the command's alone."
  echo
  echo "Peak RSS: walpipe push of one segment $((rss_push / 1024)) MiB, walpipe get $((rss_get / 1024)) MiB."
  echo "With ${#segs[@]} / 10,000 files marked .ready: PostgreSQL's call $((rss_fg_small / 1024)) / $((rss_fg_big / 1024)) MiB,"
  echo "the look-ahead pusher that runs through the backlog $((rss_worker_small / 1024)) / $((rss_worker_big / 1024)) MiB."
} | tee "$RESULTS"
