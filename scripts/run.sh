#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds walpipe in Release and runs the main job:
# verifying real WAL from PostgreSQL 13 to 18 (the shared corpus), every record and its CRC.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWALPIPE_BUILD_TESTS=OFF -DWALPIPE_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j "$(nproc)"

corpus=${1:-../shared/corpus}
echo "run: walpipe verify $corpus"
./build-release/tools/walpipe verify "$corpus"
