#!/usr/bin/env bash
# One Ceph RADOS Gateway for every S3 test program of a ctest run (the `rgw` fixture of
# tests/CMakeLists.txt): starting one costs about 20 s, and the programs that share it each get
# a tenant of their own (support/rgw.cc), so their buckets never meet.
#
#   shared_rgw.sh start DIR   stops and removes what an earlier run left in DIR, then starts
#                             scripts/rgw.sh there on free loopback ports; without Ceph installed
#                             it starts nothing and each program reports Ceph missing itself
#   shared_rgw.sh stop DIR    stops the daemons and removes DIR
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

rgw=$REPO_ROOT/scripts/rgw.sh
dir=${2:-}
[[ -n $dir ]] || die "usage: shared_rgw.sh start|stop DIR"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

clear_dir() {
  if [[ -d $dir/run ]]; then bash "$rgw" stop "$dir"; fi
  rm -rf "$dir"
}

case ${1:-} in
  start)
    clear_dir
    if ! command -v radosgw >/dev/null; then
      note "Ceph is not installed (scripts/setup.sh installs it): no shared RGW"
      exit 0
    fi
    for attempt in 1 2 3 4 5; do
      port=$((20000 + RANDOM % 20000))
      listening "$port" || listening $((port + 1)) || break
      note "ports $port and $((port + 1)) are taken (attempt $attempt)"
    done
    bash "$rgw" start "$dir" "$port"
    ;;
  stop) clear_dir ;;
  *) die "usage: shared_rgw.sh start|stop DIR" ;;
esac
