#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds walpipe with AddressSanitizer and
# UndefinedBehaviorSanitizer, runs every test, then runs each libFuzzer target for 20 seconds
# (WALPIPE_FUZZ_SECONDS; twelve targets, two at a time: two minutes, so that CI stays well under
# half an hour; longer campaigns are scripts/fuzz.sh's default of a minute each, or more).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

bash scripts/setup.sh

jobs=$(nproc)
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWALPIPE_SANITIZE=ON \
  -DWALPIPE_BUILD_TESTS=ON -DWALPIPE_BUILD_BENCH=ON >/dev/null
cmake --build build-test -j "$jobs"
rm -rf build-test/test-results
status=0
(cd build-test && ctest --output-on-failure -j "$jobs") || status=$?
bash scripts/skipped_tests.sh build-test
((status == 0)) || exit "$status"
# A fresh clone of HEAD, with nothing beside it, passes its unit and corpus tests, and the Debian
# package built there, unpacked into a scratch root, archives and restores on the system's
# libraries alone.
bash scripts/clone_check.sh

bash scripts/fuzz.sh "${WALPIPE_FUZZ_SECONDS:-20}"
