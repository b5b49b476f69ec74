#!/usr/bin/env bash
# Builds the Debian package in Release (BUILD_DIR, default build-release, tests and benchmarks
# off), unpacks it into a scratch root with `dpkg -x`, and proves the installed binary runs on
# the system's libraries alone: every library it loads resolves, each library it links is
# provided by a package in Depends (so a missing runtime dependency fails here, not on a user's
# machine), and one real segment goes through push, get and verify, byte for byte.
# Run by scripts/test.sh; needs dpkg-dev (dpkg-shlibdeps) and zstd from scripts/setup.sh.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

build=${1:-build-release}
version=$(sed -n 's/^project(walpipe VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb=$build/walpipe_${version}_amd64.deb
segment=000000010000000000000034
corpus=tests/corpus/pg16/1mb/$segment.zst

fail() {
  echo "package_test: FAILED: $*" >&2
  exit 1
}

echo "package_test: building $deb"
rm -f "$deb"
# The build's output is shown only when it fails (ninja prints compiler errors on stdout).
if ! log=$(cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWALPIPE_BUILD_TESTS=OFF -DWALPIPE_BUILD_BENCH=OFF 2>&1 &&
  cmake --build "$build" -j "$(nproc)" --target package 2>&1); then
  echo "$log" >&2
  fail "could not build the package"
fi
[[ -f $deb ]] || fail "cmake --target package made no \"$deb\""

info=$(dpkg-deb -I "$deb")
echo "$info" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\): /package_test:   \1: /p'
[[ $(dpkg-deb -f "$deb" Package) == walpipe ]] || fail "package name is not walpipe"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "package version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
[[ -n $depends ]] || fail "the package declares no Depends"
# Package names only: "libc6 (>= 2.36), a | b" gives libc6, a and b.
depends_names=$(awk 'BEGIN { RS = "[,|]" } NF { print $1 }' <<<"$depends")
# A package named twice (once by hand, once found by dpkg-shlibdeps) is a list nobody checked.
twice=$(sort <<<"$depends_names" | uniq -d)
[[ -z $twice ]] || fail "Depends names a package more than once: $twice"

contents=$(dpkg-deb -c "$deb" | awk '{print $NF}')
for f in ./usr/bin/walpipe ./usr/share/doc/walpipe/README.md \
  ./usr/share/doc/walpipe/object-format.md ./usr/share/doc/walpipe/copyright; do
  grep -qxF "$f" <<<"$contents" || fail "the package has no $f"
done
# walpipe-fault, the command with the fault injector, is built for the tests only.
programs=$(grep '^\./usr/bin/.' <<<"$contents")
[[ $programs == ./usr/bin/walpipe ]] || fail "the package has other programs:"$'\n'"$programs"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dpkg -x "$deb" "$scratch/root"
bin=$scratch/root/usr/bin/walpipe
! grep -q WALPIPE_FAULT "$bin" || fail "the installed walpipe reads WALPIPE_FAULT (fault injection)"

# No reader in a pipeline below stops early (head, awk's exit): under pipefail the writer's
# SIGPIPE would fail the test whenever it is still writing (ldconfig -p, dpkg -S).
# ldd lists what the loader would map, libraries of libraries included; all must resolve.
libs=$(ldd "$bin")
if grep -q 'not found' <<<"$libs"; then
  fail "libraries the installed walpipe cannot find:"$'\n'"$(grep 'not found' <<<"$libs")"
fi
# The binary's own DT_NEEDED libraries must come from packages in Depends; their dependencies
# are their packages' concern.
owner() {
  local path=$1 real candidate
  real=$(readlink -f "$path")
  # Debian 12 has merged /usr: a file may be registered under /lib or /usr/lib.
  for candidate in "$path" "$real" "/usr$path" "/usr$real" "${path#/usr}" "${real#/usr}"; do
    dpkg -S "$candidate" 2>/dev/null | awk -F: 'NR == 1 {print $1}' && return 0
  done
  return 1
}
needed_libs=$(objdump -p "$bin" | awk '$1 == "NEEDED" {print $2}')
for needed in $needed_libs; do
  path=$(awk -v lib="$needed" '!found && $1 == lib && $2 == "=>" {print $3; found = 1}
    !found && $1 ~ "/" lib "$" {print $1; found = 1}' <<<"$libs")
  [[ -n $path ]] || fail "ldd does not show where $needed comes from"
  pkg=$(owner "$path") || fail "no installed package provides $path ($needed)"
  grep -qxF "$pkg" <<<"$depends_names" || fail "$needed comes from $pkg, which Depends lacks"
  echo "package_test:   $needed: $path from $pkg, in Depends"
done
# Libraries loaded with dlopen (libpq by the commands that talk to a server, engine/pg/libpq.h;
# libcurl and libexpat for a bucket, engine/s3/; libcrypto for age and S3's hashes,
# engine/crypt/libcrypto.h) have no NEEDED entry, which every start of walpipe would pay for:
# their packages are checked by soname, and --version must load libpq.
for soname in libpq.so.5 libcurl.so.4 libexpat.so.1 libcrypto.so.3; do
  ! grep -qxF "$soname" <<<"$needed_libs" ||
    fail "walpipe links $soname, which it should load only when used"
  path=$(ldconfig -p |
    awk -v lib="$soname" '!found && $1 == lib && /x86-64/ {print $NF; found = 1}')
  [[ -n $path ]] || fail "the loader cannot find $soname, which walpipe loads with dlopen"
  pkg=$(owner "$path") || fail "no installed package provides $path ($soname)"
  grep -qxF "$pkg" <<<"$depends_names" || fail "$soname comes from $pkg, which Depends lacks"
  echo "package_test:   $soname (dlopen): $path from $pkg, in Depends"
done

version_text=$("$bin" --version)
awk '{print "package_test:   " $0}' <<<"$version_text"
grep -qE '^libpq [0-9]' <<<"$version_text" || fail "the installed walpipe could not load libpq"

work=$scratch/work
mkdir -p "$work/pg_wal" "$work/archive" "$work/restored"
zstd -qdc "$corpus" >"$work/pg_wal/$segment"
"$bin" push --archive "$work/archive" "$work/pg_wal/$segment" ||
  fail "walpipe push exited $?"
"$bin" get --prefetch 0 --archive "$work/archive" "$segment" "$work/restored/$segment" ||
  fail "walpipe get exited $?"
cmp "$work/pg_wal/$segment" "$work/restored/$segment" || fail "the restored segment differs"
status=0
"$bin" get --prefetch 0 --archive "$work/archive" 000000010000000000000035 \
  "$work/restored/000000010000000000000035" 2>/dev/null || status=$?
[[ $status -eq 1 ]] || fail "get of a segment never archived exited $status, not 1"
"$bin" verify --quiet "$work/archive" || fail "walpipe verify of the archive exited $?"
echo "package_test: ok: the installed /usr/bin/walpipe pushed, restored (identical) and" \
  "verified $segment"
