#!/usr/bin/env bash
# Installs everything walpipe needs to build, test, fuzz and benchmark on Debian 12 (as root).
# `setup.sh bench` adds what only the benchmarks use (pgBackRest; valgrind for heap figures;
# psmisc for fuser, which finds the look-ahead pusher by its lock file).
# prometheus is there for promtool, which checks walpipe metrics' output in the tests.
# age (Debian 12's age 1.1.1) is the tool walpipe's encrypted objects must open with; the
# interop tests run it. zlib1g-dev reads the compressed C2SP age test vectors.
# The ceph packages run a real S3 server (RADOS Gateway) for the S3 tests (scripts/rgw.sh).
# faketime (libfaketime) steps the clock walpipe expire sees, to show it never reads it.
# Safe to run again: apt skips what is already installed.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

packages=(
  build-essential cmake ninja-build pkg-config git dpkg-dev
  liburing-dev libzstd-dev libxxhash-dev libisal-dev libpq-dev
  libgtest-dev libbenchmark-dev
  clang libclang-rt-14-dev
  postgresql-15 postgresql-client-15 zstd lz4 time bc xfsprogs mount util-linux e2fsprogs
  prometheus
  libcurl4-openssl-dev libexpat1-dev libssl-dev curl
  age zlib1g-dev
  faketime
  ceph-mon ceph-osd ceph-mgr radosgw ceph-common
)
if [[ ${1:-} == bench ]]; then
  packages+=(pgbackrest valgrind psmisc)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian package starts a cluster on port 5432; walpipe's tests run their own clusters.
echo "setup: all packages present"
