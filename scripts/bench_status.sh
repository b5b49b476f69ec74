#!/usr/bin/env bash
# How long `walpipe status` and `walpipe metrics` take against a local PostgreSQL 15 and an
# archive of N segments (default 10,000; the issue's target is under 100 ms), run as root (a
# runuser in front would add its own PAM start to every row), next to the psql
# query a DBA runs by hand for the archiver's counters alone, and the peak memory of status with
# N and with N/10 segments (flat in N is the target).
#
# The archive holds N distinct segment names, each a hard link to one real object: status reads
# names, sizes and the metadata of the newest few, never the data, so what it measures is the
# same as with N real objects, and the archive is built in seconds.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
root=$REPO_ROOT
count=${1:-10000}
runs=${RUNS:-15}

bash scripts/setup.sh >/dev/null
work=$(mktemp -d /var/tmp/walpipe-bench-status.XXXXXX)
chown postgres: "$work"
# shellcheck disable=SC2034  # read by pg_load.sh
readonly PG_HOST=$work PG_PORT=54331
# shellcheck source=pg_load.sh
. scripts/pg_load.sh
install_walpipe "$root"
trap 'as_pg "$PG_BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# make_archive DIR N: N segments of timeline 1 from segment 1 on, 16 MiB each (PostgreSQL's
# default size: 256 segments per folder).
make_archive() {
  local dir=$1 n=$2 seg=$work/000000010000000000000064
  mkdir -p "$dir"
  zstd -qdf "$root/tests/corpus/pg15/switched/000000010000000000000064.zst" -o "$seg"
  walpipe push --batch 1 --archive "$dir" "$seg"
  local object=$dir/wal/0000000100000000/000000010000000000000064.zst
  mv "$object" "$work/object.zst"
  # perl is part of every Debian system (perl-base); one link() each, no process per name.
  perl -e '
    my ($root, $n, $source) = @ARGV;
    my $per_log = 0x100000000 / (16 << 20);
    for my $i (1 .. $n) {
      my ($log, $seg) = (int($i / $per_log), $i % $per_log);
      my $folder = sprintf("%s/wal/00000001%08X", $root, $log);
      mkdir $folder unless -d $folder;
      link($source, sprintf("%s/00000001%08X%08X.zst", $folder, $log, $seg)) or die "link: $!";
    }' "$dir" "$n" "$work/object.zst"
  chown -R postgres: "$dir"
}

make_archive "$work/archive" "$count"
make_archive "$work/archive-small" "$((count / 10))"
# The server archives nowhere: the archive above is another cluster's, and only its listing is
# measured.
pg_init "$work/data" "true"
as_pg "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null

dbname="host=$work port=$PG_PORT user=postgres dbname=postgres"

echo "walpipe status against PostgreSQL 15 and an archive of $count segments (median of $runs runs)"
printf '%-58s %10s\n' "command" "ms"
printf '%-58s %10s\n' "psql -c 'SELECT * FROM pg_stat_archiver' (the counters only)" \
  "$(median_ms "$runs" psql -h "$work" -p "$PG_PORT" -U postgres -Atqc 'SELECT * FROM pg_stat_archiver' postgres)"
printf '%-58s %10s\n' "walpipe status (server and archive)" \
  "$(median_ms "$runs" walpipe status --dbname "$dbname" --archive "$work/archive")"
printf '%-58s %10s\n' "walpipe status --json" \
  "$(median_ms "$runs" walpipe status --json --dbname "$dbname" --archive "$work/archive")"
printf '%-58s %10s\n' "walpipe metrics" \
  "$(median_ms "$runs" walpipe metrics --dbname "$dbname" --archive "$work/archive")"
printf '%-58s %10s\n' "walpipe status, the archive only (server unreachable)" \
  "$(median_ms "$runs" walpipe status --dbname "host=$work port=1" --archive "$work/archive")"
echo "peak memory of walpipe status: $(peak_kib walpipe status --dbname "$dbname" \
  --archive "$work/archive") KiB with $count segments, $(peak_kib walpipe status \
  --dbname "$dbname" --archive "$work/archive-small") KiB with $((count / 10))"
