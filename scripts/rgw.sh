#!/usr/bin/env bash
# A throwaway single-node Ceph RADOS Gateway on 127.0.0.1, for walpipe's S3 tests and benchmarks.
#
#   rgw.sh start DIR PORT [MON_PORT]   one monitor, one OSD, radosgw serving S3 on PORT; writes
#                                      DIR/env (export lines for AWS_ENDPOINT_URL, AWS_REGION,
#                                      AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
#   rgw.sh stop DIR                    stops the daemons by the PIDs recorded in DIR, waits for them
#
# Every file lives in DIR: config, monitor store, the OSD's BlueStore (a sparse file, so no loop
# device or LVM), logs, sockets and pid files. MON_PORT defaults to PORT + 1; two clusters run side
# by side when both ports differ (the OSD takes any free port in 6800-7300). Runs as root and the
# daemons stay root, so nothing depends on a ceph user's rights on DIR. There is no manager: RGW
# only needs the monitor and the OSD, and without one there is no autoscaler to change pg counts.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  echo "usage: rgw.sh start DIR PORT [MON_PORT] | rgw.sh stop DIR" >&2
  exit 2
}

# In stopping order: radosgw holds the cluster connection; the OSD and the monitor then stop cleanly.
daemons=(client.rgw osd.0 mon.a)

pid_of() { cat "$1/run/$2.pid" 2>/dev/null || true; }

# A zombie counts as gone: a daemon's parent is whatever reaps orphans here, maybe late.
alive() {
  local stat
  [[ -n $1 ]] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

stop() {
  local dir=$1 name pid i
  for name in "${daemons[@]}"; do
    pid=$(pid_of "$dir" "$name")
    alive "$pid" || continue
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      note "$name ($pid) ignored SIGTERM for 30 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
  done
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_config() {
  local dir=$1 port=$2 mon_port=$3 fsid=$4
  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
# No keys at all: the cluster lives and dies with one test. With auth off, msgr2 must be told
# to use crc, or radosgw waits five minutes for a secure session nobody can set up.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon cluster log file = $dir/log/cluster.log
crash dir = $dir/crash
keyring = /dev/null
# One OSD: every pool has one copy, few placement groups, and no warnings that hold things up.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0

[mon]
mon data = $dir/mon
mon initial members = a

[osd]
osd data = $dir/osd
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
bluestore block db create = false
bluestore block wal create = false
osd memory target = 939524096
bluestore cache autotune = false
bluestore cache size = 134217728

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
rgw dns name = localhost
EOF
}

wait_for_s3() {
  local dir=$1 port=$2 i
  for ((i = 0; i < 1200; i++)); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then return 0; fi
    # radosgw lives on when it cannot bind its port; another server there would answer for it.
    if grep -q 'failed initializing frontend' "$dir/log/client.rgw.log" 2>/dev/null; then
      note "radosgw could not listen on port $port; see $dir/log/client.rgw.log"
      return 1
    fi
    alive "$(pid_of "$dir" client.rgw)" || {
      note "radosgw exited; see $dir/log/client.rgw.log"
      return 1
    }
    sleep 0.1
  done
  note "S3 did not answer on port $port within 120 s; see $dir/log"
  return 1
}

start() {
  local dir=$1 port=$2 mon_port=$3
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [[ ! -e $dir/ceph.conf ]] || die "$dir already holds a cluster"
  local p
  for p in "$port" "$mon_port"; do
    ! listening "$p" || die "port $p is in use"
  done
  mkdir -p "$dir/run" "$dir/log" "$dir/mon" "$dir/osd" "$dir/rgw" "$dir/crash"
  local fsid osd_uuid conf=$dir/ceph.conf
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  write_config "$dir" "$port" "$mon_port" "$fsid"
  # Stop whatever did start when a later step fails, so a failed start leaves nothing running.
  trap 'stop "$dir"' ERR

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap"
  ceph-mon -c "$conf" -i a
  ceph -c "$conf" osd new "$osd_uuid" 0 >/dev/null
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>"$dir/log/osd-mkfs.log"
  ceph-osd -c "$conf" -i 0 2>>"$dir/log/osd-start.log"
  radosgw -c "$conf" -n client.rgw
  wait_for_s3 "$dir" "$port"

  local access secret
  access=WALPIPE$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)
  secret=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
  radosgw-admin -c "$conf" user create --uid walpipe --display-name walpipe \
    --access-key "$access" --secret-key "$secret" >/dev/null
  cat >"$dir/env" <<EOF
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=$access
export AWS_SECRET_ACCESS_KEY=$secret
EOF
  trap - ERR
}

case ${1:-} in
  start)
    (($# == 3 || $# == 4)) || usage
    start "$2" "$3" "${4:-$(($3 + 1))}"
    ;;
  stop)
    (($# == 2)) || usage
    stop "$2"
    ;;
  *) usage ;;
esac
