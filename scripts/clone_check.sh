#!/usr/bin/env bash
# Proves a clone is enough (issue 10): clones the committed HEAD of REPO (default: the repository
# this script is in) into an empty temporary folder, so nothing beside the checkout (no
# ../shared) and nothing uncommitted can help, builds the unit and corpus tests in Release there
# and runs them with CI=true, under which a missing prerequisite fails instead of skipping.
# Fails if any of them fails, skips or is missing. Then the clone's scripts/package_test.sh makes
# the Debian package from that same build (walpipe is not compiled twice) and tests it. Run by
# scripts/test.sh.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

here=$REPO_ROOT
repo=${1:-$here}
tests=(names_test crc32c_test fingerprint_test corpus_test records_test history_test chain_test
  frame_jobs_test path_walk_test loader_test object_test identity_test commit_test
  batch_push_test)

fail() {
  echo "clone_check: FAILED: $*" >&2
  exit 1
}

start=$SECONDS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/walpipe
build=$src/build

git clone --quiet --no-local "$repo" "$src"
echo "clone_check: cloned $(git -C "$src" rev-parse --short HEAD) of $repo into $src" \
  "(beside it: $(find "$tmp" -mindepth 1 -maxdepth 1 -printf '%f ' | sed 's/ $//'))"

# The build's output is shown only when it fails (ninja prints compiler errors on stdout).
if ! log=$(cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWALPIPE_BUILD_TESTS=ON -DWALPIPE_BUILD_BENCH=OFF 2>&1 &&
  cmake --build "$build" -j "$(nproc)" --target walpipe "${tests[@]}" 2>&1); then
  echo "$log" >&2
  fail "the clone does not build"
fi
echo "clone_check: built walpipe and ${#tests[@]} test programs in $((SECONDS - start)) s"

pattern="^($(IFS='|'; echo "${tests[*]}"))\$"
status=0
# Each test program leaves a GoogleTest XML report (in $build/test-results where the build sets
# GTEST_OUTPUT itself): a skip passes with exit 0, so skips are found there.
(cd "$build" && CI=true GTEST_OUTPUT="xml:$tmp/results/" ctest -R "$pattern" -j "$(nproc)" \
  --output-on-failure) | tee "$tmp/ctest.log" | grep -E 'Test +#|tests passed|tests failed' ||
  status=$?
summary=$(grep -E 'tests passed|tests failed' "$tmp/ctest.log" | tail -1)
[[ $status -eq 0 ]] || { cat "$tmp/ctest.log" >&2; fail "ctest failed: $summary"; }
ran=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$tmp/ctest.log" || true)
[[ $ran -eq ${#tests[@]} ]] || fail "ctest ran $ran of the ${#tests[@]} tests: $summary"
mapfile -t reports < <(find "$tmp" -path '*results/*' -name '*_test.xml')
[[ ${#reports[@]} -ge ${#tests[@]} ]] ||
  fail "only ${#reports[@]} GoogleTest reports for ${#tests[@]} tests"
if skipped=$(grep -hoE '<testcase name="[^"]*"[^>]*result="skipped"[^>]*classname="[^"]*"' \
  "${reports[@]}"); then
  fail "tests skipped in a fresh clone:"$'\n'"$skipped"
fi
echo "clone_check: ok: $ran test programs passed with CI=true in a fresh clone, none skipped" \
  "($((SECONDS - start)) s)"
bash "$src/scripts/package_test.sh" "$build"
