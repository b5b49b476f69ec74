#!/usr/bin/env bash
# Off-site side by side (issue 14), all against the same Ceph RADOS Gateway on this machine
# (scripts/rgw.sh, given a TLS frontend here: pgBackRest's S3 driver speaks only https, so every
# tool goes through it). The WAL is the 64 real 16 MiB pgbench segments of bench_push.sh, archived
# one file per call through bench/archive_loop as PostgreSQL's archiver calls archive_command:
#   push: the seed's `cp %p DIR/%f && aws s3 cp %p s3://…/%f` (Debian's awscli), pgBackRest
#         archive-push to the bucket (zst, synchronous, and asynchronous with process-max=2),
#         walpipe push to the bucket (with and without look-ahead), to a folder plus the bucket,
#         and to a folder alone (the reference of the 1.3x target);
#   get:  `aws s3 cp` back, `walpipe get` from the bucket with and without prefetch, cp and
#         walpipe get from folders for reference;
#   recovery: a PostgreSQL 15 base backup replaying the same WAL with walpipe get from the bucket
#         and with cp from a folder (the page cache warm: the folder read in first);
#   memory: peak RSS of every walpipe process (detached workers included) of a push and a get.
# Interleaved repetitions, medians and spread (fastest and slowest run).
# Usage: scripts/bench_s3.sh [REPETITIONS [SECONDS_OF_LOAD]] (defaults 3 and 20). Run as root.
# WALPIPE_BUILD_DIR names the Release build to use (default build-bench). A shorter run, to
# compare two builds: WALPIPE_S3_PUSH and WALPIPE_S3_GET name the kinds to time (space-separated,
# from push_kinds and get_kinds below; rows of the others are left out), WALPIPE_S3_MEMORY=0
# skips the memory section, WALPIPE_S3_RESULTS names the file written instead of s3.md.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$REPO_ROOT/scripts/setup.sh" bench >&2
[[ -x /usr/bin/aws ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y awscli >&2
readonly AWS=/usr/bin/aws
readonly BENCH_DIR=${WALPIPE_BENCH_DIR:-/var/tmp/walpipe-bench}
readonly WAL=$BENCH_DIR/pgbench64 DATA=$BENCH_DIR/pgbench64-data
readonly WORK=$BENCH_DIR/s3
readonly BUILD_DIR=${WALPIPE_BUILD_DIR:-$REPO_ROOT/build-bench}
readonly RESULTS=${WALPIPE_S3_RESULTS:-$REPO_ROOT/bench/results/s3.md}
readonly HTTP_PORT=17480 TLS_PORT=17443
ticks_per_s=$(getconf CLK_TCK)
readonly ticks_per_s
readonly ENDPOINT=https://127.0.0.1:$TLS_PORT
# shellcheck disable=SC2034  # read by pg_load.sh
readonly PG_HOST=$WORK/replay-src PG_PORT=54342
# shellcheck source=pg_load.sh
. "$REPO_ROOT/scripts/pg_load.sh"
reps=${1:-3}
load_seconds=${2:-20}

[[ -d $WAL ]] || bash "$REPO_ROOT/scripts/bench_verify.sh" --data-only
mapfile -t segs < <(find "$WAL" -maxdepth 1 -type f -regextype posix-extended \
  -regex '.*/[0-9A-F]{24}' -printf '%f\n' | sort)
((${#segs[@]} > 0)) || die "no segments in $WAL"
readonly n=${#segs[@]}

cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWALPIPE_BUILD_TESTS=OFF -DWALPIPE_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" --target walpipe archive_loop >/dev/null
need_release "$BUILD_DIR"
readonly WALPIPE=$BUILD_DIR/tools/walpipe ARCHIVE_LOOP=$BUILD_DIR/bench/archive_loop
readonly CONF=$WORK/walpipe.conf PG_CONF=$WORK/walpipe-postgres.conf

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

stop_all() {
  local d
  for d in "$PG_HOST"/data "$PG_HOST"/replay; do
    if [[ -d $d ]]; then as_pg "$PG_BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true; fi
  done
  if [[ -d $WORK/rgw ]]; then bash "$REPO_ROOT/scripts/rgw.sh" stop "$WORK/rgw"; fi
}
trap stop_all EXIT
stop_all
rm -rf "$WORK" && mkdir -p "$WORK/tls" "$WORK/runs"

# --- The store: rgw.sh's gateway, restarted with a second, TLS, frontend ------------------
# A private CA and a certificate for both names a client may use: pgBackRest checks only DNS
# names, curl and awscli take the address.
make_tls() {
  local d=$WORK/tls
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=walpipe-bench-ca \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$d/rgw.key" \
    -out "$d/rgw.csr" 2>/dev/null
  openssl x509 -req -in "$d/rgw.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -out "$d/rgw.pem" \
    -extfile <(echo "subjectAltName=DNS:localhost,IP:127.0.0.1") 2>/dev/null
  chmod 644 "$d/ca.pem"
}

start_rgw() {
  local dir=$WORK/rgw pid i
  bash "$REPO_ROOT/scripts/rgw.sh" start "$dir" "$HTTP_PORT" "$((HTTP_PORT + 1))"
  pid=$(cat "$dir/run/client.rgw.pid")
  kill -TERM "$pid"
  while [[ -e /proc/$pid && $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) != Z ]]; do sleep 0.1; done
  sed -i "s|^rgw frontends = .*|rgw frontends = beast endpoint=127.0.0.1:$HTTP_PORT \
ssl_endpoint=127.0.0.1:$TLS_PORT ssl_certificate=$WORK/tls/rgw.pem \
ssl_private_key=$WORK/tls/rgw.key|" "$dir/ceph.conf"
  radosgw -c "$dir/ceph.conf" -n client.rgw
  for ((i = 0; i < 600; i++)); do
    curl -s -o /dev/null --cacert "$WORK/tls/ca.pem" "$ENDPOINT/" && return 0
    sleep 0.1
  done
  die "radosgw did not answer on $ENDPOINT; see $dir/log"
}

note "starting Ceph RGW (http $HTTP_PORT, https $TLS_PORT)"
make_tls
start_rgw
# shellcheck disable=SC1091
. "$WORK/rgw/env"
# awscli 2.9 reads no AWS_ENDPOINT_URL (hence --endpoint-url) and wants its region set, as a
# DBA's ~/.aws/config would.
export AWS_DEFAULT_REGION=$AWS_REGION AWS_CA_BUNDLE=$WORK/tls/ca.pem AWS_ENDPOINT_URL=$ENDPOINT
aws_() { "$AWS" --endpoint-url "$ENDPOINT" "$@"; }
for b in seed pgbr walpipe; do aws_ s3api create-bucket --bucket "$b" >/dev/null; done

# walpipe reads the endpoint and keys from a configuration file only its owner can read, as
# README "Off-site" sets it up; postgres gets its own copy for restore_command.
cat >"$CONF" <<EOF
s3-endpoint = $ENDPOINT
s3-region = $AWS_REGION
s3-ca-file = $WORK/tls/ca.pem
aws-access-key-id = $AWS_ACCESS_KEY_ID
aws-secret-access-key = $AWS_SECRET_ACCESS_KEY
EOF
chmod 600 "$CONF"
cp "$CONF" "$PG_CONF" && chown postgres: "$PG_CONF" && chmod 600 "$PG_CONF"

# --- Push ----------------------------------------------------------------------------------
# pgBackRest 2.45 as its documentation sets up an S3 repository, against the stopped cluster
# that wrote the WAL (its pg_control must match); one fresh repository path per run.
pgbr_setup() {
  local kind=$1 path=$2 dir=$WORK/runs/$1
  rm -rf "$dir" && mkdir -p "$dir/spool" "$dir/lock" "$dir/log"
  cp -a "$DATA" "$dir/data"
  pg_wal_like "$dir/data/pg_wal" "$WAL" "${segs[@]}"
  {
    echo "[global]"
    echo "repo1-type=s3"
    echo "repo1-path=/$path"
    echo "repo1-s3-bucket=pgbr"
    echo "repo1-s3-endpoint=localhost"
    echo "repo1-storage-port=$TLS_PORT"
    echo "repo1-storage-ca-file=$WORK/tls/ca.pem"
    echo "repo1-s3-uri-style=path"
    echo "repo1-s3-region=$AWS_REGION"
    echo "repo1-s3-key=$AWS_ACCESS_KEY_ID"
    echo "repo1-s3-key-secret=$AWS_SECRET_ACCESS_KEY"
    echo "compress-type=zst"
    echo "spool-path=$dir/spool"
    echo "lock-path=$dir/lock"
    echo "log-path=$dir/log"
    echo "log-level-file=off"
    [[ $kind == pgbr_async ]] && printf 'archive-async=y\nprocess-max=2\n'
    echo "[bench]"
    echo "pg1-path=$dir/data"
  } >"$dir/pgbackrest.conf"
  chmod 600 "$dir/pgbackrest.conf"
  pgbackrest --config="$dir/pgbackrest.conf" --stanza=bench --no-online stanza-create >/dev/null
}

# objects BUCKET PREFIX: how many objects the bucket holds under PREFIX.
objects() { aws_ s3 ls --recursive "s3://$1/$2/" | grep -c . || true; }

# gateway_ticks: the CPU ticks the gateway's daemons (radosgw, the OSD, the monitor) have spent.
gateway_ticks() {
  local name pid total=0
  for name in client.rgw osd.0 mon.a; do
    pid=$(cat "$WORK/rgw/run/$name.pid")
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# run_push KIND REP: every segment once into a fresh archive through archive_loop; prints the
# wall seconds, the machine's busy ticks and the gateway's ticks meanwhile. Dies unless each
# store then holds an object per segment.
run_push() {
  local kind=$1 rep=$2 dir=$WORK/runs/$1 pg_wal=$WORK/runs/$1/pg_wal command files wall b0 g0 b1 g1
  local prefix=$kind-r$rep
  if [[ $kind == pgbr_* ]]; then
    pgbr_setup "$kind" "$prefix"
    pg_wal=$dir/data/pg_wal
    command="pgbackrest --config=$dir/pgbackrest.conf --stanza=bench archive-push %p"
  else
    rm -rf "$dir" && mkdir -p "$dir/archive" && chmod 700 "$dir/archive"
    pg_wal_like "$pg_wal" "$WAL" "${segs[@]}"
  fi
  case $kind in
    seed) command="cp %p $dir/archive/%f && $AWS --endpoint-url $ENDPOINT s3 cp %p s3://seed/$prefix/wal/%f --only-show-errors" ;;
    local) command="$WALPIPE push --archive $dir/archive %p" ;;
    walpipe_s3) command="$WALPIPE push --config $CONF --archive s3://walpipe/$prefix %p" ;;
    walpipe_s3_b1) command="$WALPIPE push --batch 1 --config $CONF --archive s3://walpipe/$prefix %p" ;;
    walpipe_both) command="$WALPIPE push --config $CONF --archive $dir/archive --archive s3://walpipe/$prefix %p" ;;
  esac
  sync
  b0=$(machine_busy) g0=$(gateway_ticks)
  read -r files wall _ < <("$ARCHIVE_LOOP" "$pg_wal" "$command")
  b1=$(machine_busy) g1=$(gateway_ticks)
  ((files == n)) || die "$kind archived $files of $n files"
  local stored=$n
  case $kind in
    seed) stored=$(objects seed "$prefix") ;;
    pgbr_*) stored=$(objects pgbr "$prefix/archive/bench/15-1") ;;
    walpipe_s3*|walpipe_both) stored=$(objects walpipe "$prefix/wal") ;;
  esac
  ((stored == n)) || die "$kind: the bucket holds $stored objects for $n segments"
  echo "$wall $((b1 - b0)) $((g1 - g0))"
}

# --- Get -----------------------------------------------------------------------------------
# run_get KIND REP: restores every segment, one call each, into a fresh folder, each file kept
# under its name as PostgreSQL keeps it; prints the wall seconds. Dies on a restored file that
# differs from the segment.
run_get() {
  local kind=$1 rep=$2 out=$WORK/runs/get-$1 t0 t1 s
  rm -rf "$out" && mkdir -p "$out"
  # The seed's folder, or the same raw segments when the seed was not timed in this run.
  local seed_copies=$WORK/runs/seed/archive
  [[ -d $seed_copies ]] || seed_copies=$WAL
  sync
  t0=$(date +%s.%N)
  for s in "${segs[@]}"; do
    case $kind in
      cp) cp "$seed_copies/$s" "$out/RECOVERYXLOG" ;;
      aws) aws_ s3 cp "s3://seed/seed-r$rep/wal/$s" "$out/RECOVERYXLOG" --only-show-errors ;;
      walpipe_s3_p0) "$WALPIPE" get --prefetch 0 --config "$CONF" --archive "s3://walpipe/walpipe_s3-r$rep" "$s" "$out/RECOVERYXLOG" ;;
      walpipe_s3) "$WALPIPE" get --config "$CONF" --archive "s3://walpipe/walpipe_s3-r$rep" "$s" "$out/RECOVERYXLOG" ;;
      local) "$WALPIPE" get --archive "$WORK/runs/local/archive" "$s" "$out/RECOVERYXLOG" ;;
    esac >/dev/null
    mv "$out/RECOVERYXLOG" "$out/$s"
  done
  t1=$(date +%s.%N)
  # As recovery_end_command does: the prefetcher stops before the next run starts.
  [[ -d $out/walpipe_prefetch ]] && "$WALPIPE" get --remove-spool="$out/walpipe_prefetch" 2>/dev/null
  for s in "${segs[@]}"; do cmp -s "$out/$s" "$WAL/$s" || die "$kind restored $s wrong"; done
  echo "$t1 - $t0" | bc -l
}

read -r -a push_kinds <<<"${WALPIPE_S3_PUSH:-local walpipe_s3 walpipe_s3_b1 walpipe_both pgbr_sync pgbr_async seed}"
read -r -a get_kinds <<<"${WALPIPE_S3_GET:-cp local aws walpipe_s3_p0 walpipe_s3}"
declare -A wall busy gateway
load_push="$(loadavg)"
for ((r = 1; r <= reps; r++)); do
  note "push and get, repetition $r/$reps (load $(loadavg))"
  for kind in "${push_kinds[@]}"; do
    read -r w b g < <(run_push "$kind" "$r")
    wall[push_$kind]+="$w " busy[push_$kind]+="$b " gateway[push_$kind]+="$g "
  done
  for kind in "${get_kinds[@]}"; do wall[get_$kind]+="$(run_get "$kind" "$r") "; done
done
load_push+=" / $(loadavg)"

# --- Memory --------------------------------------------------------------------------------
# peak_walpipe CMD...: runs CMD; prints the largest VmHWM (KiB) any walpipe process reached
# meanwhile, detached look-ahead pushers and prefetchers included, polled every 10 ms until CMD
# has ended and no walpipe process is left.
peak_walpipe() {
  local peak=0 pid p k v any
  "$@" >/dev/null 2>&1 &
  pid=$!
  while :; do
    any=0
    for p in $(pgrep -f "^$WALPIPE " || true); do
      any=1
      while read -r k v _; do
        [[ $k == VmHWM: ]] && ((v > peak)) && peak=$v
      done 2>/dev/null <"/proc/$p/status" || true
    done
    kill -0 "$pid" 2>/dev/null || ((any)) || break
    sleep 0.01
  done
  wait "$pid" || true
  echo "$peak"
}
rss_push_one=0 rss_push_all=0 rss_get_one=0 rss_get_all=0
if [[ ${WALPIPE_S3_MEMORY:-1} != 0 ]]; then
  note "memory"
  mem_dir=$WORK/runs/mem
  pg_wal_like "$mem_dir/pg_wal" "$WAL" "${segs[@]}"
  rss_push_one=$(peak_kib "$WALPIPE" push --batch 1 --config "$CONF" --archive s3://walpipe/mem-one "$mem_dir/pg_wal/${segs[0]}")
  rss_push_all=$(peak_walpipe "$ARCHIVE_LOOP" "$mem_dir/pg_wal" "$WALPIPE push --config $CONF --archive s3://walpipe/mem-all %p")
  rss_get_one=$(peak_kib "$WALPIPE" get --prefetch 0 --config "$CONF" --archive s3://walpipe/mem-all "${segs[0]}" "$mem_dir/one")
  get_all() {
    mkdir -p "$mem_dir/get"
    for s in "${segs[@]}"; do
      "$WALPIPE" get --config "$CONF" --archive s3://walpipe/mem-all "$s" "$mem_dir/get/RECOVERYXLOG"
      mv "$mem_dir/get/RECOVERYXLOG" "$mem_dir/get/$s"
    done
    "$WALPIPE" get --remove-spool="$mem_dir/get/walpipe_prefetch"
  }
  rss_get_all=$(peak_walpipe get_all)
fi

# --- Recovery ------------------------------------------------------------------------------
note "recovery: primary under load for ${load_seconds}s"
src=$PG_HOST
mkdir -p "$src/raw" && chown -R postgres: "$src" && chmod 700 "$src/raw"
replay_wal_make "$src" "$load_seconds"
note "recovery: ${#REPLAY_SEGMENTS[@]} segments into s3://walpipe/recovery"
for f in "${REPLAY_SEGMENTS[@]/#/$src/raw/}" "$src"/raw/*.history; do
  [[ -e $f ]] && "$WALPIPE" push --batch 1 --config "$CONF" --archive s3://walpipe/recovery "$f"
done
replayed=()
for s in "${REPLAY_SEGMENTS[@]}"; do [[ $s < $REPLAY_START ]] || replayed+=("$s"); done
raw_bytes=$(du -cb "${replayed[@]/#/$src/raw/}" | tail -1 | cut -f1)
warm_raw() { cat "$src"/raw/* >/dev/null; }
# ticks_at_start [PREPARE...]: replay_seconds' last step before its clock starts: PREPARE, then
# the machine's and the gateway's CPU ticks so far, into a file (replay_seconds runs in a subshell).
ticks_at_start() {
  if (($#)); then "$@"; fi
  echo "$(machine_busy) $(gateway_ticks)" >"$WORK/replay-ticks"
}
# replay_run KIND COMMAND [PREPARE...]: replay_seconds with COMMAND, recorded in wall, busy and
# gateway (from the clock's start until the server has stopped), redo and redo_cpu (the startup
# process's elapsed and CPU seconds from its "redo done" line).
replay_run() {
  local kind=$1 command=$2 seconds b0 g0 user system elapsed
  shift 2
  seconds=$(replay_seconds "$src" "${kind#replay_}" "$command" ticks_at_start "$@")
  read -r b0 g0 <"$WORK/replay-ticks"
  read -r user system elapsed < <(sed -n 's/.*redo done at .* user: \([0-9.]*\) s, system: \([0-9.]*\) s, elapsed: \([0-9.]*\) s$/\1 \2 \3/p' \
    "$src/replay-${kind#replay_}.log" | tail -1)
  wall[$kind]+="$seconds " busy[$kind]+="$(($(machine_busy) - b0)) "
  gateway[$kind]+="$(($(gateway_ticks) - g0)) " redo[$kind]+="$elapsed "
  redo_cpu[$kind]+="$(echo "$user + $system" | bc -l) "
}
declare -A redo redo_cpu
load_replay="$(loadavg)"
for ((r = 1; r <= reps; r++)); do
  note "replay repetition $r/$reps (load $(loadavg))"
  replay_run replay_cp "cp $src/raw/%f %p" warm_raw
  replay_run replay_walpipe "$WALPIPE get --config $PG_CONF --archive s3://walpipe/recovery %f %p"
done
load_replay+=" / $(loadavg)"

# --- Results -------------------------------------------------------------------------------
med() { median <<<"${wall[$1]}"; }
# row LABEL KEY [REFERENCE_KEY...]: per segment, median and spread; segments/s, MiB/s, and the
# speed relative to each reference (its median time over this row's). Nothing for a kind not timed.
row() {
  local w lo hi ref ratios=""
  [[ -n ${wall[$2]:-} ]] || return 0
  w=$(med "$2")
  read -r lo hi < <(spread <<<"${wall[$2]}")
  for ref in "${@:3}"; do
    if [[ -n ${wall[$ref]:-} ]]; then
      ratios+=" $(printf '%.2fx' "$(echo "$(med "$ref") / $w" | bc -l)") |"
    else
      ratios+=" – |"
    fi
  done
  printf '| %s | %.1f | %.1f–%.1f | %.1f | %.0f |%s\n' "$1" "$(echo "$w * 1000 / $n" | bc -l)" \
    "$(echo "$lo * 1000 / $n" | bc -l)" "$(echo "$hi * 1000 / $n" | bc -l)" \
    "$(echo "$n / $w" | bc -l)" "$(echo "$n * 16 / $w" | bc -l)" "$ratios"
}
# The ratio of two kinds' medians, or nothing when either was not timed.
ratio() {
  if [[ -n ${wall[$1]:-} && -n ${wall[$2]:-} ]]; then echo "$(med "$1") / $(med "$2")" | bc -l; fi
}
# cpu_ms KIND TABLE: the median of TABLE's ticks for KIND, in ms of CPU per segment.
cpu_ms() {
  local -n ticks_of=$2
  echo "$(median <<<"${ticks_of[$1]}") * 1000 / $ticks_per_s / $n" | bc -l
}
# cpu_row LABEL KIND: the machine's CPU, the gateway's and the rest, per segment, when timed.
cpu_row() {
  [[ -n ${busy[$2]:-} ]] || return 0
  local all gw
  all=$(cpu_ms "$2" busy)
  gw=$(cpu_ms "$2" gateway)
  printf '| %s | %.1f | %.1f | %.1f |\n' "$1" "$all" "$gw" "$(echo "$all - $gw" | bc -l)"
}
verdict() { if (($(echo "$1" | bc -l))); then echo met; else echo missed; fi; }
# target TEXT RATIO CONDITION: a line of the Targets list ("not timed" without a ratio).
target() {
  if [[ -z $2 ]]; then printf -- '- %s: not timed in this run\n' "$1"; return; fi
  printf -- '- %s: %.2fx%s, %s\n' "$1" "$2" "${4:-}" "$(verdict "$2 $3")"
}
{
  echo "# Off-site: push and get against the same Ceph RGW, side by side"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, shared: load average at start / end" \
    "of push and get $load_push, of the replays $load_replay"
  echo "- $("$WALPIPE" --version | head -1) at $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null ||
    echo "a tree without git") (Release); $("$AWS" --version 2>&1 | cut -d' ' -f1-2);" \
    "$(pgbackrest version)"
  echo "- Ceph RGW (Debian 12, rgw.sh: one monitor, one OSD on a sparse file) on 127.0.0.1; every" \
    "client over its TLS frontend (beast ssl_endpoint, private CA)"
  echo "- $n consecutive 16 MiB pgbench segments ($((n * 16)) MiB), archived through" \
    "bench/archive_loop one call per file as PostgreSQL's archiver calls archive_command;" \
    "median of $reps interleaved runs, spread = fastest–slowest run"
  echo
  echo "| archive_command | ms per segment | spread | segments/s | MiB/s | speed vs walpipe to the bucket |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  row "cp %p DIR/%f && aws s3 cp %p s3://seed/…/%f (the seed's off-site line)" push_seed push_walpipe_s3
  row "pgBackRest archive-push, repo1-type=s3, zst, synchronous" push_pgbr_sync push_walpipe_s3
  row "pgBackRest archive-push, repo1-type=s3, zst, archive-async=y process-max=2" push_pgbr_async push_walpipe_s3
  row "walpipe push --archive s3://walpipe/… --batch 1 (no look-ahead)" push_walpipe_s3_b1 push_walpipe_s3
  row "**walpipe push --archive s3://walpipe/…** (look-ahead, the default)" push_walpipe_s3 push_walpipe_s3
  row "walpipe push --archive DIR --archive s3://walpipe/…" push_walpipe_both push_walpipe_s3
  row "walpipe push --archive DIR (a local folder)" push_local push_walpipe_s3
  echo
  echo "The same runs' CPU, every process on the machine (/proc/stat) and the gateway's daemons"
  echo "(radosgw, ceph-osd, ceph-mon) alone; medians, ms per segment:"
  echo
  echo "| archive_command | machine CPU | of it the gateway | the rest |"
  echo "| --- | ---: | ---: | ---: |"
  cpu_row "cp && aws s3 cp (the seed)" push_seed
  cpu_row "pgBackRest async, process-max=2" push_pgbr_async
  cpu_row "walpipe push to the bucket (look-ahead)" push_walpipe_s3
  cpu_row "walpipe push to a folder and the bucket" push_walpipe_both
  cpu_row "walpipe push to a folder" push_local
  echo
  echo "| restore_command (back to back) | ms per segment | spread | segments/s | MiB/s | speed vs aws s3 cp |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  row "aws s3 cp s3://seed/…/%f %p" get_aws get_aws
  row "walpipe get --prefetch 0 --archive s3://walpipe/…" get_walpipe_s3_p0 get_aws
  row "walpipe get --archive s3://walpipe/… (prefetch 8, the default)" get_walpipe_s3 get_aws
  row "cp DIR/%f %p (the seed's folder)" get_cp get_aws
  row "walpipe get --archive DIR (prefetch 8)" get_local get_aws
  echo
  echo "Recovery: a PostgreSQL 15 base backup (-X none) replaying ${#replayed[@]} segments" \
    "($((raw_bytes / 1048576)) MiB, from $REPLAY_START) of pgbench (16 clients, -N) plus bulk" \
    "inserts (${load_seconds}s of load) until the archive has nothing more, then promoting;" \
    "every replay checked to hold all $REPLAY_ROWS bulk rows. The folder is read into the page" \
    "cache first."
  echo
  echo "| restore_command | seconds to end of recovery | spread | MiB/s of WAL | runs (s) |"
  echo "| --- | ---: | ---: | ---: | --- |"
  for k in replay_cp replay_walpipe; do
    label="cp DIR/%f %p (raw segments, a local folder)"
    [[ $k == replay_walpipe ]] && label="walpipe get --archive s3://walpipe/recovery %f %p (prefetch 8)"
    read -r lo hi < <(spread <<<"${wall[$k]}")
    printf '| %s | %.2f | %.2f–%.2f | %.0f | %s |\n' "$label" "$(med "$k")" "$lo" "$hi" \
      "$(echo "$raw_bytes / 1048576 / $(med "$k")" | bc -l)" "${wall[$k]% }"
  done
  echo
  echo "Where the replays' time went, medians in seconds: the startup process's redo (PostgreSQL's"
  echo "\"redo done\" line: elapsed, and its own CPU), and the CPU of every process on the machine and"
  echo "of the gateway's daemons from the start of the server until it stopped:"
  echo
  echo "| restore_command | redo elapsed | redo CPU | machine CPU | of it the gateway |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for k in replay_cp replay_walpipe; do
    printf '| %s | %.2f | %.2f | %.2f | %.2f |\n' "${k#replay_}" "$(median <<<"${redo[$k]}")" \
      "$(median <<<"${redo_cpu[$k]}")" "$(echo "$(median <<<"${busy[$k]}") / $ticks_per_s" | bc -l)" \
      "$(echo "$(median <<<"${gateway[$k]}") / $ticks_per_s" | bc -l)"
  done
  echo
  if [[ ${WALPIPE_S3_MEMORY:-1} != 0 ]]; then
    echo "Peak RSS against the bucket: walpipe push of one segment (--batch 1) $((rss_push_one / 1024)) MiB;" \
      "every walpipe process of the $n-segment push with look-ahead (the calls and the background" \
      "pusher) at most $((rss_push_all / 1024)) MiB; walpipe get --prefetch 0 $((rss_get_one / 1024)) MiB;" \
      "every process of $n gets with prefetch (the calls and the prefetcher) at most $((rss_get_all / 1024)) MiB."
    echo
  fi
  vs_pgbr=$(ratio push_pgbr_async push_walpipe_s3)
  vs_seed=$(ratio push_seed push_walpipe_s3)
  vs_local=$(ratio push_walpipe_s3 push_local)
  vs_cp=$(ratio replay_walpipe replay_cp)
  echo "Targets:"
  target "push to the bucket at least 3x the segments/s of pgBackRest async" "$vs_pgbr" ">= 3"
  target "at least 5x the seed's cp && aws s3 cp" "$vs_seed" ">= 5"
  target "within 1.3x of walpipe's push to a local folder" "$vs_local" "<= 1.3" " the time"
  if [[ -n ${busy[push_local]:-} && -n ${busy[push_walpipe_s3]:-} ]]; then
    # The folder's push is CPU-bound here; the gateway's work for each object lands on the same
    # cores, so no push to it can take less than both together spread over every core.
    floor=$(echo "($(cpu_ms push_local busy) + $(cpu_ms push_walpipe_s3 gateway)) / $(nproc)" | bc -l)
    printf -- '  (the floor on this machine: the folder push'"'"'s CPU and the gateway'"'"'s for the same objects over %d cores, %.1f ms a segment, %.2fx the folder'"'"'s time, before walpipe spends anything on S3)\n' \
      "$(nproc)" "$floor" "$(echo "$floor * $n / 1000 / $(med push_local)" | bc -l)"
  fi
  target "recovery from the bucket with prefetch no longer than from a folder with cp" "$vs_cp" "<= 1"
} | tee "$RESULTS"
