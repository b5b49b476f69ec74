#!/usr/bin/env bash
# What a bucket costs on this machine, in CPU (issue 14's targets compare a push to Ceph RGW with
# a push to a folder, and the gateway runs on the same two cores as walpipe and PostgreSQL).
# The four real 16 MiB pgbench segments of tests/corpus are pushed one call at a time
# (`walpipe push --batch 1`, as PostgreSQL's archiver calls it with look-ahead off) into fresh
# prefixes of a bucket of scripts/rgw.sh's gateway (plain http, so no TLS is counted) and into
# fresh folders, then got back (`walpipe get --prefetch 0`). Counted: the CPU time (user and
# system) of the gateway's three daemons (radosgw, the OSD, the monitor) from /proc, less what
# they spend idle over the same time, and the CPU time of each walpipe call (bash's time); divided
# per call. CPU time is what a loaded machine disturbs least, and what bounds throughput: two
# cores cannot give more than 2,000 ms of CPU per second.
#
# Usage: scripts/bench_s3_cost.sh [REPETITIONS] (default 8), as root. WALPIPE_BUILD_DIR (default
# build-bench) is built as Release unless WALPIPE_NO_BUILD=1. Results: bench/results/s3-cost.md.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly BUILD_DIR=${WALPIPE_BUILD_DIR:-$REPO_ROOT/build-bench}
readonly RESULTS=${WALPIPE_RESULTS:-$REPO_ROOT/bench/results/s3-cost.md}
readonly PORT=${WALPIPE_RGW_PORT:-18480}
reps=${1:-8}
need_root "the gateway's daemons run as root"
TIMEFORMAT='%U %S'  # bash's time: the CPU seconds of each call
release_build "$BUILD_DIR"
readonly WALPIPE=$BUILD_DIR/tools/walpipe

work=$(mktemp -d /var/tmp/walpipe-s3-cost.XXXXXX)
trap 'bash "$REPO_ROOT/scripts/rgw.sh" stop "$work/rgw" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
pgbench_segments "$work/src"
mapfile -t segs < <(ls "$work/src")
note "starting the gateway on port $PORT"
bash "$REPO_ROOT/scripts/rgw.sh" start "$work/rgw" "$PORT" "$((PORT + 1))" >/dev/null
# shellcheck disable=SC1091
. "$work/rgw/env"
code=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:$AWS_REGION:s3" \
  --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H "x-amz-content-sha256: $(sha256sum </dev/null | cut -d' ' -f1)" -X PUT "$AWS_ENDPOINT_URL/cost")
[[ $code == 200 ]] || die "could not make the bucket (HTTP $code)"

# The gateway's CPU time so far, in milliseconds.
gateway_ms() {
  local name pid total=0 fields
  for name in client.rgw osd.0 mon.a; do
    pid=$(cat "$work/rgw/run/$name.pid")
    fields=$(cut -d')' -f2- "/proc/$pid/stat")
    total=$((total + $(awk '{ print $12 + $13 }' <<<"$fields")))
  done
  echo $((total * 1000 / $(getconf CLK_TCK)))
}

# measure KIND CMD...: runs CMD (a function of the repetition and the segment) for every
# repetition and segment, and prints "KIND calls walpipe_cpu_ms gateway_cpu_ms wall_ms" per call.
measure() {
  local kind=$1 r s before after start idle_before idle_after
  shift
  : >"$work/$kind.times"
  idle_before=$(gateway_ms)
  sleep 5
  idle_after=$(gateway_ms)
  before=$(gateway_ms)
  start=$(date +%s%N)
  for ((r = 1; r <= reps; r++)); do
    for s in "${segs[@]}"; do
      { time "$@" "$r" "$s" >/dev/null 2>"$work/err" || die "$kind of $s failed: $(cat "$work/err")"; } \
        2>>"$work/$kind.times"
    done
  done
  after=$(gateway_ms)
  local wall_ms=$((($(date +%s%N) - start) / 1000000)) calls=$((reps * ${#segs[@]}))
  local idle=$(((idle_after - idle_before) * wall_ms / 5000))
  awk -v kind="$kind" -v calls="$calls" -v gw=$((after - before - idle)) -v wall="$wall_ms" \
    '{ cpu += $1 + $2 } END { printf "%s %d %.1f %.1f %.1f\n", kind, calls,
       cpu * 1000 / calls, (gw > 0 ? gw : 0) / calls, wall / calls }' "$work/$kind.times"
}

push_bucket() { "$WALPIPE" push --batch 1 --archive "s3://cost/p$1" "$work/src/$2"; }
get_bucket() {
  "$WALPIPE" get --prefetch 0 --archive "s3://cost/p$1" "$2" "$work/out/RECOVERYXLOG"
}
push_folder() {
  mkdir -p "$work/folder$1"
  "$WALPIPE" push --batch 1 --archive "$work/folder$1" "$work/src/$2"
}
get_folder() { "$WALPIPE" get --prefetch 0 --archive "$work/folder$1" "$2" "$work/out/RECOVERYXLOG"; }

mkdir -p "$work/out"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/rows"
for kind in push_folder push_bucket get_folder get_bucket; do
  note "$kind"
  measure "$kind" "$kind" >>"$work/rows"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# What a bucket costs on this machine, in CPU per call"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; walpipe $(git -C "$REPO_ROOT" describe --always --dirty) (Release)"
  echo "- load average (1, 5, 15 min) before: $load_before; after: $load_after"
  echo "- ${#segs[@]} real 16 MiB pgbench segments (tests/corpus/pg15/pgbench), $reps repetitions;"
  echo "  the gateway: scripts/rgw.sh (radosgw, one OSD on a sparse file, one monitor), plain http"
  echo
  echo "| call | calls | walpipe CPU ms per call | gateway CPU ms per call | wall ms per call |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  while read -r kind calls cpu gw wall; do
    # shellcheck disable=SC2016  # the backquotes are Markdown's
    case $kind in
      push_folder) what='`walpipe push --batch 1` to a folder' ;;
      push_bucket) what='`walpipe push --batch 1` to the bucket' ;;
      get_folder) what='`walpipe get --prefetch 0` from a folder' ;;
      get_bucket) what='`walpipe get --prefetch 0` from the bucket' ;;
    esac
    echo "| $what | $calls | $cpu | $gw | $wall |"
  done <"$work/rows"
  echo
  echo "The gateway's CPU is what it spent during the calls less its idle rate (measured for 5 s"
  echo "before each kind). On two cores, a segment that costs C ms of CPU in all cannot be"
  echo "archived faster than C / 2 ms per segment, however the work is spread."
} >"$RESULTS"
cat "$RESULTS"
